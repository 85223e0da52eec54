import { z } from "zod";
import type { RealCategory } from "./hierarchy";
import { itemKey } from "./universe";

/**
 * A real name list served as one topic's universe (bench/data/explore/*.json: ISO 3166-2
 * subdivisions, tz database cities): its topic, how labels name its members, and its categories
 * with their names. The simulator then answers about that topic from these names, so a run can
 * be measured on data we did not make (dedup on real near-duplicates such as "Shanxi" and
 * "Shaanxi", verification, exploration).
 */
export type RealUniverseSpec = { topic: string; plural: string; categories: readonly RealCategory[] };

const MAX_NAMES = 200_000;
const MAX_DEPTH = 8;

const name = z.string().trim().min(1, "must not be empty").max(200, "must be at most 200 characters");

const category: z.ZodType<RealCategory> = z.lazy(() =>
  z.object({
    label: name,
    items: z.array(name).max(MAX_NAMES).optional(),
    children: z.array(category).max(10_000).optional(),
  }),
);

const spec = z.object({
  topic: name,
  plural: name,
  categories: z.array(category).min(1, "must list at least one category"),
});

export class RealListError extends Error {}

/** The spec in `json` (a file's text), validated; errors name `where` and the field. */
export function parseRealList(json: string, where: string): RealUniverseSpec {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new RealListError(`${where}: not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  // Before the schema, whose recursion a pathological nesting would exhaust. A category level is
  // two levels of JSON (the object, its children array), its items array one more.
  if (depthOf(raw) > 2 * MAX_DEPTH + 2) throw new RealListError(`${where}: categories nest deeper than ${MAX_DEPTH} levels`);
  const r = spec.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new RealListError(`${where}: ${issue.path.length > 0 ? issue.path.join(".") : "the list"} ${issue.message}`);
  }
  let names = 0;
  const walk = (c: RealCategory) => {
    // A name with nothing to compare by ("---") is no universe item.
    names += c.items?.filter((n) => itemKey(n) !== "").length ?? 0;
    for (const child of c.children ?? []) walk(child);
  };
  for (const c of r.data.categories) walk(c);
  if (names === 0) throw new RealListError(`${where}: no usable names (every category's items are empty or punctuation)`);
  if (names > MAX_NAMES) throw new RealListError(`${where}: ${names} names, more than ${MAX_NAMES}`);
  return r.data;
}

/** How deeply objects and arrays nest in `value` (iteratively: no recursion to exhaust). */
function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    deepest = Math.max(deepest, d);
    for (const child of Object.values(v as Record<string, unknown>)) stack.push([child, d + 1]);
  }
  return deepest;
}
