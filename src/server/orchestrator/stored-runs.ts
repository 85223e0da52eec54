import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { PrismaClient } from "../../generated/prisma/client";
import { cleanCandidate } from "../../lib/candidate";
import { EntryLedger, type CandidateOutcome } from "../../lib/entry-ledger";
import { DomainError } from "../../lib/errors";
import { topicSlug } from "../../lib/slug";
import { parseStretches } from "../../lib/stretches";
import { OutputFile } from "./output-file";
import { addEvent, findRunBySlug, insertDecisions, insertEntries, maxUsedSeq, readEntries, type DecisionRow, type EntryRow } from "./repo";
import { addImportTotals, createImportedRun, deleteRunRows, findStoredRun, runsWithSlug } from "./stored-run-repo";

// The history's own changes, outside any run's lifecycle (issue 20): a stored run deleted, and a
// run imported from its output.txt when its rows were lost. The orchestrator runs both between
// lifecycle steps (Orchestrator.betweenRuns), so no start or stop interleaves.

/** What the orchestrator hands over between two lifecycle steps. */
export type BetweenRuns = { activeRunId: string | null; outputDir: string; log: (level: "info" | "warn" | "error", message: string) => void };

/** The folder output/<slug>/ of a run. */
const outputFolder = (outputDir: string, slug: string) => path.dirname(OutputFile.forSlug(outputDir, slug).filePath);

/**
 * Deletes a stored run's rows in one transaction (never the active run's: CONFLICT). Its
 * output/<slug>/ folder is kept unless `files` (and another run of the same folder keeps it anyway).
 */
export async function deleteStoredRun(
  db: PrismaClient,
  at: BetweenRuns,
  input: { runId: string; files: boolean },
): Promise<{ runId: string; topic: string; entries: number; folder: string; folderDeleted: boolean }> {
  const run = await findStoredRun(db, input.runId);
  if (!run) throw new DomainError("NOT_FOUND", `runId: no run ${input.runId}`, "runId");
  if (run.id === at.activeRunId) throw new DomainError("CONFLICT", `runId: run ${run.id} is the active run; stop it first (igentai stop)`, "runId");
  const entries = await deleteRunRows(db, run.id);
  const folder = outputFolder(at.outputDir, run.slug);
  const folderDeleted = input.files && (await runsWithSlug(db, run.slug)) === 0;
  if (folderDeleted) await fs.promises.rm(folder, { recursive: true, force: true });
  at.log("info", `run ${run.id} ("${run.topic}") deleted: ${entries} entries; ${folder} ${folderDeleted ? "deleted" : "kept"}`);
  return { runId: run.id, topic: run.topic, entries, folder, folderDeleted };
}

export type ImportInput = {
  topic: string;
  lines: string[];
  /** Where the lines come from (a file name), stored as the run's reason. */
  source: string;
  /** Adds these lines to a run an earlier call of this import created (a large file comes in parts). */
  runId?: string | undefined;
};

/** A line that did not become an entry, and why. */
type SetAside = { line: string; outcome: Exclude<CandidateOutcome, "unique">; reason: string; duplicateOf: string | null };

export type ImportReport = {
  runId: string;
  created: boolean;
  lines: number;
  entries: number;
  totalEntries: number;
  exactDuplicates: number;
  /** Near duplicates merged into an earlier line (stored as merge decisions: `dedup.restore` undoes one). */
  merged: number;
  /** New entries close to another one, kept apart (the review list). */
  keptApart: number;
  junk: number;
  /** The first lines that did not become entries (at most 50). */
  setAside: SetAside[];
  /** Where a previous output.txt of the folder was kept, when it held lines the run's entries lack. */
  keptCopy: string | null;
};

const IMPORT_WHO = { producer: "import", provider: "import", model: "output.txt" };
const MAX_SET_ASIDE = 50;

/**
 * A run made from the lines of an output.txt (one candidate a line), through the run's dedup
 * path (EntryLedger.classify): exact and near duplicates and junk are counted and reported, a
 * close pair is kept apart for review. The run is `stopped` and never started; resuming it
 * continues the topic with default settings. Refused (CONFLICT) when the topic has a run already.
 */
export async function importRun(db: PrismaClient, at: BetweenRuns, input: ImportInput, clock: () => number): Promise<ImportReport> {
  const slug = topicSlug(input.topic);
  const ledger = new EntryLedger(undefined, { topic: input.topic });
  let runId: string;
  let nextSeq = 1;
  if (input.runId === undefined) {
    const existing = await findRunBySlug(db, slug);
    if (existing)
      throw new DomainError(
        "CONFLICT",
        `topic: "${input.topic}" already has run ${existing.id}: import under another topic, or delete that run first (igentai delete ${existing.id})`,
        "topic",
      );
    runId = randomUUID();
  } else {
    const run = await findStoredRun(db, input.runId);
    if (!run) throw new DomainError("NOT_FOUND", `runId: no run ${input.runId}`, "runId");
    if (run.slug !== slug) throw new DomainError("BAD_REQUEST", `topic: run ${run.id} is about "${run.topic}"`, "topic");
    if (run.id === at.activeRunId || parseStretches(run.stretches).length > 0 || !run.stopReason?.startsWith("imported"))
      throw new DomainError("CONFLICT", `runId: run ${run.id} is not an import in progress (it has run since, or was not imported)`, "runId");
    runId = run.id;
    for await (const page of readEntries(db, runId)) for (const r of page) ledger.load(r.text, r.seq);
    nextSeq = (await maxUsedSeq(db, runId)) + 1;
  }
  const now = new Date(clock());
  const c = classifyLines(ledger, input.lines, { batchId: `import-${randomUUID()}`, firstSeq: nextSeq, at: now });
  const added = {
    totalUnique: c.rows.length,
    totalCandidates: c.candidates,
    totalDupExact: c.counts.dupExact,
    totalDupNear: c.counts.dupNear,
    totalJunk: c.counts.junk,
  };
  await db.$transaction(
    async (tx) => {
      if (input.runId === undefined)
        await createImportedRun(tx, { id: runId, topic: input.topic, slug, source: `imported from ${input.source}`.slice(0, 300) });
      // The repo's batch statements take the client; a transaction's has the same raw query API.
      await insertEntries(tx as PrismaClient, runId, c.rows);
      await insertDecisions(tx as PrismaClient, runId, c.decisions);
      await addImportTotals(tx, runId, added);
    },
    { timeout: 120_000 },
  );
  const file = OutputFile.forSlug(at.outputDir, slug);
  await file.reconcile(ledger.texts, { keepLost: true });
  await file.close();
  const report: ImportReport = {
    runId,
    created: input.runId === undefined,
    lines: c.candidates,
    entries: c.rows.length,
    totalEntries: ledger.texts.length,
    exactDuplicates: c.counts.dupExact,
    merged: c.counts.dupNear,
    keptApart: c.decisions.filter((d) => d.kind === "kept-apart").length,
    junk: c.counts.junk,
    setAside: c.setAside,
    keptCopy: file.keptCopy,
  };
  const { setAside: _examples, ...counts } = report;
  await addEvent(db, {
    runId,
    kind: "run.imported",
    message: `imported ${report.entries} entries from ${report.lines} lines of ${input.source} (${report.exactDuplicates} exact duplicates, ${report.merged} merged, ${report.junk} junk)`,
    data: { ...counts, source: input.source },
  });
  return report;
}

/** The lines through the dedup ledger in order: entry rows (recorded at once), decisions, counts. */
function classifyLines(ledger: EntryLedger, lines: readonly string[], o: { batchId: string; firstSeq: number; at: Date }) {
  const rows: EntryRow[] = [];
  const decisions: DecisionRow[] = [];
  const counts: Record<CandidateOutcome, number> = { unique: 0, dupExact: 0, dupNear: 0, junk: 0 };
  const setAside: SetAside[] = [];
  const decision = (d: Pick<DecisionRow, "origin" | "kind" | "candidate" | "candidateSeq" | "entryText" | "reason" | "edit" | "cost" | "sources">) => ({
    ...d,
    entrySeq: ledger.seqOf(d.entryText) ?? null,
    verdict: null,
    ...IMPORT_WHO,
    at: o.at,
  });
  let seq = o.firstSeq;
  let candidates = 0;
  for (const [index, line] of lines.entries()) {
    if (line.trim() === "") continue;
    candidates++;
    const c = ledger.classify(line, IMPORT_WHO.producer);
    counts[c.outcome]++;
    if (c.outcome === "unique") {
      rows.push({ seq, text: c.text, normalisedKey: c.key, ...IMPORT_WHO, batchId: o.batchId, createdAt: o.at, branchId: null });
      for (const [j, m] of (c.borderline ?? []).entries())
        decisions.push(
          decision({
            origin: `${o.batchId}:${index}:${j}`,
            kind: "kept-apart",
            candidate: c.text,
            candidateSeq: seq,
            entryText: m.duplicateOf,
            ...evidence(m),
          }),
        );
      ledger.record(c.text, seq++);
      continue;
    }
    const duplicateOf = c.outcome === "junk" ? null : c.duplicateOf;
    if (setAside.length < MAX_SET_ASIDE) setAside.push({ line, outcome: c.outcome, reason: c.reason, duplicateOf });
    if (c.outcome === "dupNear")
      decisions.push(
        decision({
          origin: `${o.batchId}:${index}`,
          kind: "merged",
          candidate: cleanCandidate(line) ?? line,
          candidateSeq: null,
          entryText: c.duplicateOf,
          reason: c.reason,
          edit: null,
          cost: null,
          sources: null,
        }),
      );
  }
  return { rows, decisions, counts, setAside, candidates };
}

const evidence = (m: { reason: string; edit?: string | undefined; cost: number | null; sources: number }) => ({
  reason: m.reason,
  edit: m.edit ?? null,
  cost: m.cost,
  sources: m.sources,
});
