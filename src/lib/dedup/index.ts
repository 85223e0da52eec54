// PLACEHOLDER: replaced by the full dedup engine (issue 4).
export type CheckResult =
  | { unique: true; key: string }
  | { unique: false; key: string; duplicateOf: string; kind: "exact" | "near" };

export interface DedupEngine {
  check(candidate: string): CheckResult;
  accept(text: string, key?: string): void;
  readonly size: number;
}

export function canonicalKey(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

export function createDedupEngine(): DedupEngine {
  const byKey = new Map<string, string>();
  return {
    check(candidate) {
      const key = canonicalKey(candidate);
      const hit = byKey.get(key);
      return hit === undefined ? { unique: true, key } : { unique: false, key, duplicateOf: hit, kind: "exact" };
    },
    accept(text, key = canonicalKey(text)) {
      if (!byKey.has(key)) byKey.set(key, text);
    },
    get size() {
      return byKey.size;
    },
  };
}
