import { EntryLedger } from "../../lib/entry-ledger";
import { targetLabel } from "../../lib/providers";
import type { RunConfig } from "../../lib/run-config";
import type { RunMode } from "../../lib/run-modes";
import type { Db } from "../db/client";
import { ActiveRun, type ActiveRunParts } from "./active-run";
import { RunMetrics } from "./metrics";
import { Optimizer } from "../../lib/routing/optimizer";
import { unseededRng } from "../../lib/stats/math";
import { OutputFile } from "./output-file";
import { TREE_PRODUCER } from "./breakdown-call";
import { activeMs, firstStartedAt, startStretch, type Stretch } from "../../lib/stretches";
import {
  JUDGE_PRODUCER,
  VERIFY_PRODUCER,
  activeMerges,
  addEvent,
  commitEntries,
  entrySources,
  maxUsedSeq,
  readBranches,
  readEntries,
  saveBranches,
  scoreEvent,
  storedProgress,
  renameEntries,
} from "./repo";
import { SupportBook } from "../../lib/trust/support";
import type { BranchState } from "../../lib/tree/branch";
import { TopicTree } from "../../lib/tree/tree";
import type { BreakdownAnswer, BreakdownRequest } from "./breakdown-call";

type Log = (level: "info" | "warn" | "error", message: string) => void;

export type OpenRunDeps = {
  db: Db;
  outputDir: string;
  clock: () => number;
  log: Log;
  /** Tree runs: the breakdown calls of run `runId` (breakdown-call.ts), given the simulator its producers use. */
  breakdown: (runId: string, config: RunConfig, simUrl: string | undefined) => (req: BreakdownRequest) => Promise<BreakdownAnswer>;
  makeJudge?: ActiveRunParts["makeJudge"];
  makeVerifier?: ActiveRunParts["makeVerifier"];
  sideGatherMs?: number | undefined;
};

/**
 * Builds the in-memory run from the DB, complete: entries into the dedup ledger and the
 * metrics, carried-over totals, output.txt made equal to the DB, the optimiser seeded.
 */
export async function openRun(
  deps: OpenRunDeps,
  r: { id: string; slug: string; config: RunConfig; mode: RunMode; secretHash: string; keepStartTime: boolean; simUrl?: string | undefined },
): Promise<ActiveRun> {
  const t0 = deps.clock();
  const prisma = deps.db.prisma;
  // With the topic, "Other volcanoes" is junk in a run about volcanoes.
  const ledger = new EntryLedger(undefined, { topic: r.config.topic });
  const metrics = new RunMetrics();
  const support = new SupportBook();
  const rejected = new Set<string>();
  const branchEntries: Array<{ branchId: number; text: string }> = [];
  for await (const page of readEntries(prisma, r.id)) {
    // Keys are recomputed rather than read back: the stored key may come from an older
    // version of the dedup engine, and the index must match what classify() computes now.
    for (const row of page) {
      ledger.load(row.text, row.seq);
      support.load(row.text, row.support);
      if (row.verdict === "rejected") rejected.add(row.text);
      if (row.branchId !== null && r.config.exploration === "tree") branchEntries.push({ branchId: row.branchId, text: row.text });
    }
  }
  for (const s of await entrySources(prisma, r.id)) metrics.seed(s.producer, targetLabel(s), s.entries);
  // Alias memory: texts merged by the judge or the user stay duplicates of their entry after a restart.
  ledger.loadAliases(await activeMerges(prisma, r.id));
  // Candidate and duplicate counts are not per entry, calls and spend are summed from their
  // rows: carried over, the run's figures are whole-run totals (equal to the database's sums)
  // and budgets (maxCostUsd over the whole run; maxMinutes since this start) never go back.
  const stored = await storedProgress(prisma, r.id);
  const totalCandidates = Math.max(stored.totals.totalCandidates, ledger.texts.length);
  metrics.seedOverall({
    candidates: totalCandidates,
    dupExact: stored.totals.totalDupExact,
    dupNear: stored.totals.totalDupNear,
    junk: stored.totals.totalJunk,
  });
  for (const c of stored.calls) {
    const serverCall = c.producer === TREE_PRODUCER || c.producer === JUDGE_PRODUCER || c.producer === VERIFY_PRODUCER;
    metrics.seedCalls(serverCall ? null : c.producer, targetLabel(c), c);
  }
  const output = OutputFile.forSlug(deps.outputDir, r.slug);
  // output.txt holds every entry not rejected by verification.
  const fileOutcome = await output.reconcile(rejected.size === 0 ? ledger.texts : ledger.texts.filter((t) => !rejected.has(t)), { keepLost: true });
  if (fileOutcome !== "ok") deps.log("warn", `output.txt was ${fileOutcome} to match the database (${ledger.texts.length} entries)`);
  if (output.keptCopy) deps.log("warn", `output.txt held lines the database lacks: the old file was kept as ${output.keptCopy}`);
  deps.log("info", `run ${r.id}: ${ledger.texts.length} entries loaded in ${deps.clock() - t0} ms`);

  const topicTree = r.config.exploration === "tree" ? await loadTree(prisma, r, branchEntries) : null;
  const optimizer = new Optimizer(r.config, {
    ...(topicTree ? { coverage: () => topicTree.coverageEstimate(ledger.texts.length) } : {}),
    clock: deps.clock,
    log: deps.log,
    persist: {
      addEvent: (e) => addEvent(prisma, { runId: r.id, kind: e.kind, message: e.message, data: e.data as never, at: new Date(e.at) }),
      scoreEvent: (id, score, data) => scoreEvent(prisma, id, score, data as never),
    },
  });
  optimizer.seed(ledger.proposals);
  const tree = topicTree ? treeParts(deps, r, topicTree) : null;
  return new ActiveRun({
    id: r.id,
    slug: r.slug,
    config: r.config,
    mode: r.mode,
    secretHash: r.secretHash,
    startedAt: r.keepStartTime && stored.startedAt ? stored.startedAt.getTime() : deps.clock(),
    ledger,
    maxUsedSeq: await maxUsedSeq(prisma, r.id),
    metrics,
    totalCandidates,
    costUsd: stored.costUsd,
    earlier: earlierStretches(stored.stretches, r.keepStartTime),
    optimizer,
    output,
    insert: (rows, decisions, supports) => commitEntries(prisma, r.id, rows, decisions, supports),
    support,
    rename: (changes) => renameEntries(prisma, r.id, changes),
    log: deps.log,
    tree,
    makeJudge: deps.makeJudge,
    makeVerifier: deps.makeVerifier,
    rejected,
    ...(deps.sideGatherMs !== undefined ? { sideGatherMs: deps.sideGatherMs } : {}),
  });
}

/** The run's topic tree from the DB (a new tree, stored at once, on its first start). */
async function loadTree(prisma: Db["prisma"], r: { id: string; config: RunConfig }, entries: Array<{ branchId: number; text: string }>): Promise<TopicTree> {
  const stored = await readBranches(prisma, r.id);
  if (stored.length === 0) {
    const tree = new TopicTree(r.config.topic);
    await saveBranches(prisma, r.id, [tree.root]);
    return tree;
  }
  return TopicTree.restore(
    r.config.topic,
    stored.map((b) => ({
      id: b.id,
      parentId: b.parentId,
      label: b.label,
      state: b.state as BranchState,
      proposedBy: b.proposedBy,
      counters: {
        calls: b.calls,
        candidates: b.candidates,
        newEntries: b.newEntries,
        reproposals: b.reproposals,
        tokens: Number(b.tokens),
        costUsd: b.costUsd,
      },
    })),
    entries,
  );
}

/** What the run's RunTree is built from. */
function treeParts(deps: OpenRunDeps, r: { id: string; config: RunConfig; simUrl?: string | undefined }, tree: TopicTree) {
  const prisma = deps.db.prisma;
  return {
    tree,
    config: r.config,
    breakdown: deps.breakdown(r.id, r.config, r.simUrl),
    save: (branches: Parameters<typeof saveBranches>[2]) => saveBranches(prisma, r.id, branches),
    event: (kind: string, message: string, data: Record<string, unknown>) =>
      addEvent(prisma, { runId: r.id, kind, message, data: data as never, at: new Date(deps.clock()) }).catch((err: unknown) => {
        deps.log("error", `tree event: ${String(err)}`);
        return null;
      }),
    score: (id: bigint, score: number, data: Record<string, unknown>) => scoreEvent(prisma, id, score, data as never),
    clock: deps.clock,
    rng: unseededRng(),
    log: deps.log,
  };
}

/** Producer names of a run: p1..pN (the router picks each one's model per call). */
export function producerNames(config: Pick<RunConfig, "producers">): string[] {
  return Array.from({ length: config.producers }, (_, i) => `p${i + 1}`);
}

/**
 * The stretches before the one starting now, all closed: a re-attached run's open stretch is the
 * one now running (counted from its start), any other open one is closed at its start, as the
 * stored list will be (startStretch).
 */
function earlierStretches(stored: readonly Stretch[], reattach: boolean): { firstStartedAt: number | null; activeMs: number; stretches: Stretch[] } {
  const before = reattach && stored.at(-1)?.stoppedAt === null ? stored.slice(0, -1) : stored;
  const stretches = startStretch(before, 0).slice(0, -1);
  return { firstStartedAt: firstStartedAt(stored), activeMs: activeMs(stretches, 0), stretches };
}
