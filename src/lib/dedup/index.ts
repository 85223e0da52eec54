/**
 * The dedup engine: canonical keys for exact duplicates, an index of near-duplicates (typos,
 * word order, spacing) and an optional LLM judgement for the borderline band. Pure, no I/O.
 * Behaviour and thresholds: README.md in this folder.
 */
export { analyseCandidate, canonicalKey, type AnalysedCandidate } from "./canonical-key";
export {
  createDedupEngine,
  DEFAULT_DEDUP_OPTIONS,
  type BorderlineMatch,
  type CheckResult,
  type DedupEngine,
  type DedupOptions,
  type DuplicateReason,
} from "./engine";
export {
  batchJudgePairs,
  buildJudgePrompt,
  JUDGE_MARKER,
  JUDGED_MATCHES_PER_CANDIDATE,
  judgeBorderline,
  MAX_JUDGE_PAIRS,
  newJudgeLedger,
  parseJudgePrompt,
  parseJudgeVerdicts,
  type BorderlineJudge,
  type JudgeDecision,
  type JudgeLedger,
  type JudgePair,
  type JudgeRequest,
  type JudgeVerdict,
} from "./judge";
export { junkReason, topicWords, type JunkReason } from "./junk";
export { dedupLine, dedupLines, explainLine, formatLine, type LineVerdict, type OutputMode } from "./lines";
export type { EditKind, SoftReason } from "./typo";
