import { MAX_CANDIDATE_CHARS } from "./protocol";

/**
 * Last check on a candidate before dedup: one line, no control characters, bounded,
 * and with at least one letter or digit. Returns null for junk.
 */
export function cleanCandidate(raw: string): string | null {
  const text = raw
    .replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
  if (text.length === 0 || text.length > MAX_CANDIDATE_CHARS) return null;
  if (!/[\p{L}\p{N}]/u.test(text)) return null;
  return text;
}
