import { z } from "zod";

/**
 * zod building blocks for every edge (tRPC inputs, the start form, the producer protocol,
 * route parameters). They refuse what PostgreSQL or Prisma would refuse later with a 500:
 * NUL bytes in text, lone UTF-16 surrogates (not encodable as UTF-8), integers beyond int4.
 */

/** PostgreSQL `integer` (int4): larger numbers fail in the database, not in validation. */
export const INT4_MAX = 2 ** 31 - 1;

const NUL = /\u0000/;
// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `s` cannot be stored as text, or null when it can. */
export function unstorableTextReason(s: string): string | null {
  if (NUL.test(s)) return "must not contain NUL characters";
  if (LONE_SURROGATE.test(s)) return "must be valid Unicode (lone surrogate)";
  return null;
}

/** `s` without NUL characters and lone surrogates: for text a model wrote, which is cleaned rather than refused. */
export function storableText(s: string): string {
  return s.replace(/\u0000/g, "").replace(new RegExp(LONE_SURROGATE.source, "g"), "");
}

/** Refines a string schema so that text PostgreSQL cannot store is refused with a named reason. */
export function storable<S extends z.ZodType<string>>(schema: S): S {
  return schema.superRefine((s, ctx) => {
    const reason = unstorableTextReason(s);
    if (reason) ctx.addIssue({ code: "custom", message: reason });
  }) as unknown as S;
}

/** Text a person typed: storable, at most `max` characters. */
export function safeText(opts: { max: number; min?: number }) {
  return storable(
    z
      .string()
      .min(opts.min ?? 0)
      .max(opts.max, `at most ${opts.max} characters`),
  );
}

/** Ids of runs, producers, batches, calls: a safe charset, so they can go in paths, headers and SQL. */
export function idText(max = 64) {
  return z
    .string()
    .min(1, "is required")
    .max(max, `at most ${max} characters`)
    .regex(/^[A-Za-z0-9_.:-]+$/, "may contain letters, digits and _ . : - only");
}

/** A run id (a UUID today; any safe id is accepted so older runs stay reachable). */
export const runIdSchema = idText(64);

/** An integer that fits PostgreSQL `integer`. */
export function int4(opts: { min?: number; max?: number } = {}) {
  return z
    .number()
    .int()
    .min(opts.min ?? -INT4_MAX - 1)
    .max(Math.min(opts.max ?? INT4_MAX, INT4_MAX), `at most ${Math.min(opts.max ?? INT4_MAX, INT4_MAX)}`);
}

/**
 * The run id in a download path (`/api/runs/<runId>/download`, as sent: percent-encoded), or
 * why it is refused. A segment that is not percent-encoded UTF-8 (`%ZZ`, or `%ED%A0%80`, a lone
 * surrogate) cannot be decoded at all: Next's router threw on it and answered 500.
 */
export function runIdFromDownloadPath(pathname: string): { runId: string } | { error: string } | null {
  const raw = /^\/api\/runs\/([^/]*)\/download\/?$/.exec(pathname)?.[1];
  if (raw === undefined) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return { error: "runId is not valid percent-encoded UTF-8" };
  }
  const parsed = runIdSchema.safeParse(decoded);
  return parsed.success ? { runId: parsed.data } : { error: `runId ${parsed.error.issues[0]?.message ?? "is invalid"}` };
}
