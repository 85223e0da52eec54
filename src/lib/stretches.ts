import { z } from "zod";

/**
 * A run's stretches: each time it ran, from start to stop, and why it stopped. A run resumed
 * twice has three. Its first start and its active time come from them, so the history says
 * "started 06:51, active 6 min" for a run that ran 6 minutes in 3 stretches, not the last one's.
 */
export const stretchSchema = z.object({
  startedAt: z.number(),
  /** Null while it runs (or when the server died during it and nothing closed it yet). */
  stoppedAt: z.number().nullable(),
  reason: z.string().max(300).nullable(),
});
export type Stretch = z.infer<typeof stretchSchema>;

/** The stored stretches; a value this version cannot read counts as none (never a failure to list runs). */
export function parseStretches(json: unknown): Stretch[] {
  const parsed = z.array(stretchSchema).safeParse(json);
  return parsed.success ? parsed.data : [];
}

/** A new stretch from `at`; one still open (its end never recorded) is closed at its start, with no active time claimed. */
export function startStretch(list: readonly Stretch[], at: number): Stretch[] {
  return [
    ...list.map((s) => (s.stoppedAt === null ? { ...s, stoppedAt: s.startedAt, reason: s.reason ?? "end not recorded" } : s)),
    { startedAt: at, stoppedAt: null, reason: null },
  ];
}

/** Closes the open stretch at `at` (never before its start); nothing open, nothing changes. */
export function stopStretch(list: readonly Stretch[], at: number, reason: string | null): Stretch[] {
  const last = list[list.length - 1];
  if (!last || last.stoppedAt !== null) return [...list];
  return [...list.slice(0, -1), { ...last, stoppedAt: Math.max(at, last.startedAt), reason: reason?.slice(0, 300) ?? null }];
}

/** Time spent running, summed over the stretches; an open one counts up to `now`. */
export function activeMs(list: readonly Stretch[], now: number): number {
  let total = 0;
  for (const s of list) total += Math.max(0, (s.stoppedAt ?? now) - s.startedAt);
  return total;
}

/** When the run first started, or null if it never did. */
export function firstStartedAt(list: readonly Stretch[]): number | null {
  return list[0]?.startedAt ?? null;
}
