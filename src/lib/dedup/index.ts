/**
 * The dedup engine: canonical keys for exact duplicates, an index of near-duplicates (typos,
 * word order, spacing) and an optional LLM judgement for the borderline band. Pure, no I/O.
 * Behaviour and thresholds: README.md in this folder.
 */
export { canonicalKey } from "./canonical-key";
export type { BorderlineMatch, CheckResult, DedupEngine, DuplicateReason } from "./check-result";
export { createDedupEngine } from "./engine";
export { DEFAULT_DEDUP_OPTIONS, type DedupOptions } from "./options";
export { judgeBorderline, newJudgeLedger, type BorderlineJudge } from "./judge";
export { junkReason, topicWords, type JunkReason } from "./junk";
export { dedupLines, explainLine, formatLine } from "./lines";
