/**
 * The dedup engine: canonical keys for exact duplicates, an index of near-duplicates (typos,
 * word order, spacing) and an optional LLM judgement for the borderline band. Pure, no I/O.
 * Behaviour and thresholds: README.md in this folder.
 */
export { canonicalKey } from "./canonical-key";
export {
  createDedupEngine,
  DEFAULT_DEDUP_OPTIONS,
  type BorderlineMatch,
  type CheckResult,
  type DedupEngine,
  type DedupOptions,
  type DuplicateReason,
} from "./engine";
export { judgeBorderline, newJudgeLedger, type BorderlineJudge } from "./judge";
export { junkReason, topicWords, type JunkReason } from "./junk";
export { dedupLines, explainLine, formatLine } from "./lines";
