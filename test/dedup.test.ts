import fs from "node:fs";
import path from "node:path";
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalKey } from "../src/lib/dedup";
import type { AppRouter } from "../src/server/api/root";
import { testDatabases } from "./helpers/databases";
import { startHarness, waitFor, type Harness } from "./helpers/harness";

/**
 * Near-duplicate decisions over the real HTTP API: recorded with the entries, listed for
 * review, merged and restored by the user on the active run and on a stored run, with
 * output.txt equal to the DB's entries after each change. Junk never becomes an entry.
 */
describe.each(testDatabases())("dedup review on $name", (target) => {
  let h: Harness;
  const SECRET = "dedup-test-secret";
  let api: ReturnType<typeof createTRPCClient<AppRouter>>;

  beforeAll(async () => {
    // Producers so slow that the entries here are the test's own.
    h = await startHarness({ db: await target.open(), newSecret: () => SECRET, env: { IGENTAI_SIM_PARAMS: JSON.stringify({ latencyScale: 500 }) } });
    api = createTRPCClient<AppRouter>({ links: [httpLink({ url: h.apiUrl, headers: { "x-igentai-secret": SECRET } })] });
  });
  afterAll(async () => h?.close());

  const dbTexts = async (runId: string) =>
    (await h.app.db.prisma.entry.findMany({ where: { runId }, orderBy: { seq: "asc" }, select: { text: true } })).map((r) => r.text);
  const fileLines = async (runId: string) => {
    const { slug } = await h.app.db.prisma.run.findUniqueOrThrow({ where: { id: runId } });
    const raw = fs.readFileSync(path.join(h.outputDir, slug, "output.txt"), "utf8");
    return raw === "" ? [] : raw.replace(/\n$/, "").split("\n");
  };
  const expectFileEqualsDb = async (runId: string) => expect(await fileLines(runId)).toEqual(await dbTexts(runId));
  const codeOf = async (p: Promise<unknown>) => {
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TRPCClientError);
    return { code: (err as TRPCClientError<AppRouter>).data?.code, message: (err as Error).message };
  };

  it("records decisions, keeps junk out, merges and restores with output.txt equal to the DB", async () => {
    const { runId } = await api.topic.start.mutate({ topic: "Saints and provinces", producers: 1, requestSize: 20 });
    const submit = (batchId: string, candidates: string[], sinceSeq = 0) =>
      api.producer.submit.mutate({ runId, producer: "script1", batchId, candidates, sinceSeq });
    await submit("b1", ["Saint James Cathedral", "Shanxi", "Other saints", "N/A", "Miscellaneous", "And many more", "See above", "Various others", "Louvre"]);
    const second = await submit("b2", ["Saint Jmaes Cathedral", "Shaanxi"]);
    expect(second).toMatchObject({ accepted: 1, duplicates: 1 });
    // A pair within one batch: the entry it is close to gets its seq too.
    await submit("b2b", ["Kaduna", "Kaunas"]);
    const inBatch = (await api.dedup.review.query({ runId, kind: "possible" })).items.find((d) => d.candidate === "Kaunas");
    expect(inBatch).toMatchObject({ entryText: "Kaduna", entrySeq: expect.any(Number), candidateSeq: expect.any(Number) });

    const texts = await dbTexts(runId);
    for (const junk of ["Other saints", "N/A", "Miscellaneous", "And many more", "See above", "Various others"]) expect(texts).not.toContain(junk);
    expect(texts).toEqual(expect.arrayContaining(["Saint James Cathedral", "Shanxi", "Louvre", "Shaanxi"]));
    await expectFileEqualsDb(runId);

    // Both decisions are in Postgres with their evidence.
    const possible = await api.dedup.review.query({ runId, kind: "possible" });
    const pair = possible.items.find((d) => d.candidate === "Shaanxi");
    expect(pair).toMatchObject({ kind: "kept-apart", entryText: "Shanxi", edit: "doubled-vowel", producer: "script1" });
    const merged = await api.dedup.review.query({ runId, kind: "merged" });
    const typo = merged.items.find((d) => d.candidate === "Saint Jmaes Cathedral");
    expect(typo).toMatchObject({ kind: "merged", entryText: "Saint James Cathedral", reason: "typo" });

    // Rejected calls name the field and change nothing.
    const before = await dbTexts(runId);
    expect(await codeOf(api.dedup.merge.mutate({ runId, seq: pair!.candidateSeq!, intoSeq: pair!.candidateSeq! }))).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("seq"),
    });
    expect(await codeOf(api.dedup.merge.mutate({ runId, seq: 999, intoSeq: 1 }))).toMatchObject({ code: "NOT_FOUND", message: expect.stringContaining("seq") });
    expect(await codeOf(api.dedup.restore.mutate({ runId, decisionId: pair!.id }))).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("decisionId"),
    });
    expect(await codeOf(api.dedup.review.query({ runId: "no-such-run", kind: "merged" }))).toMatchObject({ code: "NOT_FOUND" });
    expect(await dbTexts(runId)).toEqual(before);

    // The user merges the pair: the later entry leaves the DB and the file, the ledger forgets it.
    const m = await api.dedup.merge.mutate({ runId, seq: pair!.candidateSeq!, intoSeq: pair!.entrySeq! });
    expect(await dbTexts(runId)).not.toContain("Shaanxi");
    await expectFileEqualsDb(runId);
    expect((await api.dedup.review.query({ runId, kind: "possible" })).items.some((d) => d.candidate === "Shaanxi")).toBe(false);
    // Deltas skip the removed seq; the others keep theirs.
    const delta = await submit("b3", [], 0);
    expect(delta.delta.entries.map((e) => e.text)).toEqual(await dbTexts(runId));
    expect(delta.delta.entries.map((e) => e.seq)).not.toContain(pair!.candidateSeq);
    // Alias memory: the merged text proposed again is a duplicate of its entry at once.
    expect(await submit("b3a", ["Shaanxi"])).toMatchObject({ accepted: 0, duplicates: 1 });

    // A web-app restart re-attaches the run: the removed seq (the last one) is not reused.
    await h.restart();
    // The alias memory survives the restart (rebuilt from the stored merges).
    expect(await submit("b3b", ["shaanxi"])).toMatchObject({ accepted: 0, duplicates: 1 });
    // Restore the string engine's typo merge: a new entry at the end.
    const r = await api.dedup.restore.mutate({ runId, decisionId: typo!.id });
    expect(r.text).toBe("Saint Jmaes Cathedral");
    expect(r.seq).toBeGreaterThan(pair!.candidateSeq!);
    const after = await dbTexts(runId);
    expect(after[after.length - 1]).toBe("Saint Jmaes Cathedral");
    await expectFileEqualsDb(runId);
    expect(await codeOf(api.dedup.restore.mutate({ runId, decisionId: typo!.id }))).toMatchObject({ code: "CONFLICT" });
    // The restored entry is in the dedup index again: a repeat is a duplicate.
    expect(await submit("b4", ["Saint Jmaes Cathedral"])).toMatchObject({ accepted: 0, duplicates: 1 });

    // A stored run: restore the user's merge; the file is rebuilt from the DB.
    await api.topic.stop.mutate();
    const userMerge = (await api.dedup.review.query({ runId, kind: "merged" })).items.find((d) => d.id === m.decisionId);
    expect(userMerge).toMatchObject({ kind: "user-merged", candidate: "Shaanxi" });
    const back = await api.dedup.restore.mutate({ runId, decisionId: m.decisionId });
    expect(back.seq).toBeGreaterThan(r.seq);
    await expectFileEqualsDb(runId);
    expect(await dbTexts(runId)).toContain("Shaanxi");

    const kinds = await h.app.db.prisma.dedupDecision.groupBy({ by: ["kind"], where: { runId }, _count: true });
    expect(Object.fromEntries(kinds.map((k) => [k.kind, k._count]))).toMatchObject({ merged: 1, "kept-apart": 2, "user-merged": 1, restored: 2 });
    const events = await h.app.db.prisma.event.findMany({ where: { runId, kind: { startsWith: "dedup." } } });
    expect(events.map((e) => e.kind).sort()).toEqual(["dedup.merged", "dedup.restored", "dedup.restored"]);
  }, 180_000);

  it("writes each entry in its display form: cased over all capitals, the bare name over a description", async () => {
    const { runId } = await api.topic.start.mutate({ topic: "Display forms", producers: 1, requestSize: 20 });
    const submit = (batchId: string, candidates: string[]) => api.producer.submit.mutate({ runId, producer: "script1", batchId, candidates, sinceSeq: 0 });
    await submit("d1", ["EIFFEL TOWER", "Stewa Rava (known for its distinctive style)", "Louvre"]);
    // A batch of repeats only: the cased form replaces the capitals in the DB and output.txt.
    await submit("d2", ["Eiffel Tower", "eiffel tower", "Eiffel Tower"]);
    // (stored, then output.txt rewritten, in the writer's next exclusive slot)
    await waitFor("the cased form", async () => (await fileLines(runId))[0] === "Eiffel Tower", 30_000);
    await expectFileEqualsDb(runId);
    // The bare name is kept apart as a candidate of the described entry; merged, it is the entry's display form.
    await submit("d3", ["Stewa Rava"]);
    const bare = (await api.dedup.review.query({ runId, kind: "possible" })).items.find((d) => d.candidate === "Stewa Rava");
    expect(bare).toMatchObject({ entryText: "Stewa Rava (known for its distinctive style)", reason: "description" });
    await api.dedup.merge.mutate({ runId, seq: bare!.candidateSeq!, intoSeq: bare!.entrySeq! });
    expect(await dbTexts(runId)).toEqual(["Eiffel Tower", "Stewa Rava", "Louvre"]);
    await expectFileEqualsDb(runId);
    // Both old texts are duplicates of the entry now.
    expect(await submit("d4", ["EIFFEL TOWER", "Stewa Rava (known for its distinctive style)"])).toMatchObject({ accepted: 0, duplicates: 2 });
    // Also after a restart (the alias memory is rebuilt from the stored merge and the renamed entry).
    await h.restart();
    expect(await submit("d5", ["Stewa Rava (known for its distinctive style)"])).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(await dbTexts(runId)).toEqual(["Eiffel Tower", "Stewa Rava", "Louvre"]);
    await api.topic.stop.mutate();
  }, 120_000);

  it("merges all pairs of one kind at once, never transitively, and undoes the bulk merge", async () => {
    const { runId } = await api.topic.start.mutate({ topic: "Regions in bulk", producers: 1, requestSize: 20 });
    const submit = (batchId: string, candidates: string[]) => api.producer.submit.mutate({ runId, producer: "script1", batchId, candidates, sinceSeq: 0 });
    await submit("m1", ["Canterbury", "Otago", "Fiji", "Shanxi"]);
    await submit("m2", ["Canterbury (region of New Zealand)", "Otago - a region in New Zealand", "Republic of Fiji", "Shaanxi"]);
    // "Otago: region, New Zealand" is close to both Otago entries: merged into the first, its pair
    // with the other (merged away in the same call) is skipped, never followed as a chain.
    await submit("m3", ["Otago: region, New Zealand"]);
    const before = await dbTexts(runId);
    const { groups } = await api.dedup.review.query({ runId, kind: "possible" });
    expect(groups).toEqual(expect.arrayContaining([expect.objectContaining({ reason: "description", count: expect.any(Number) })]));
    const bulk = await api.dedup.mergeMany.mutate({ runId, reason: "description" });
    expect(bulk.merged.map((m) => m.candidate)).toEqual([
      "Canterbury (region of New Zealand)",
      "Otago - a region in New Zealand",
      "Otago: region, New Zealand",
    ]);
    expect(bulk.merged.every((m) => m.entryText === "Canterbury" || m.entryText === "Otago")).toBe(true);
    expect(bulk.skipped).toBeGreaterThanOrEqual(1);
    // Only the description pairs: the designator and the spelling pairs stay for review.
    const after = await dbTexts(runId);
    expect(after).toEqual(["Canterbury", "Otago", "Fiji", "Shanxi", "Republic of Fiji", "Shaanxi"]);
    await expectFileEqualsDb(runId);
    // Merged texts are aliases now; the undo restores every one of them as an entry again.
    expect(await submit("m4", ["Otago - a region in New Zealand"])).toMatchObject({ accepted: 0, duplicates: 1 });
    const undo = await api.dedup.restoreMany.mutate({ runId, decisionIds: bulk.merged.map((m) => m.decisionId) });
    expect(undo).toMatchObject({ skipped: 0 });
    expect((await dbTexts(runId)).sort()).toEqual(before.sort());
    await expectFileEqualsDb(runId);
    await api.topic.stop.mutate();
  }, 120_000);
});

/**
 * A short run on the simulator with the judge on: the simulator's junk lines never become
 * entries (counted as junk per model), borderline pairs are judged in batched, costed calls,
 * and each judged pair is recorded; output.txt equals the DB at the end.
 */
describe.each(testDatabases())("simulator run with the judge on $name", (target) => {
  let h: Harness;
  const SECRET = "dedup-judge-secret";
  let api: ReturnType<typeof createTRPCClient<AppRouter>>;
  beforeAll(async () => {
    h = await startHarness({ db: await target.open(), newSecret: () => SECRET, env: { IGENTAI_SIM_PARAMS: JSON.stringify({ latencyScale: 0.05 }) } });
    api = createTRPCClient<AppRouter>({ links: [httpLink({ url: h.apiUrl, headers: { "x-igentai-secret": SECRET } })] });
  });
  afterAll(async () => h?.close());

  it("stores no junk, judges borderline pairs in batches, records every verdict", async () => {
    const topic = "Famous bridges";
    const { runId } = await api.topic.start.mutate({ topic, producers: 2, requestSize: 40, judge: { enabled: true } });
    // Borderline pairs of our own, besides whatever the producers bring.
    const mine = ["Shanxi", "Kaduna", "Ampara", "Birwa", "Shaanxi", "Kaunas", "Amara", "Bira"];
    await api.producer.submit.mutate({ runId, producer: "script1", batchId: "mine", candidates: mine, sinceSeq: 0 });
    await waitFor(
      "400 entries and 2 judge calls",
      async () => {
        const s = await api.topic.status.query();
        const judged = await h.app.db.prisma.llmCall.count({ where: { runId, producer: "judge" } });
        return s.totals.unique >= 400 && judged >= 2;
      },
      120_000,
    );
    const status = await api.topic.status.query();
    await api.topic.stop.mutate();

    const prisma = h.app.db.prisma;
    const rows = await prisma.entry.findMany({ where: { runId }, orderBy: { seq: "asc" }, select: { seq: true, text: true } });
    const texts = rows.map((r) => r.text);
    const seqs = new Set(rows.map((r) => r.seq));
    const { slug } = await prisma.run.findUniqueOrThrow({ where: { id: runId } });
    const raw = fs.readFileSync(path.join(h.outputDir, slug, "output.txt"), "utf8");
    expect(raw === "" ? [] : raw.replace(/\n$/, "").split("\n")).toEqual(texts);

    // The simulator emits junk (counted per model); none of the list is stored.
    expect(status.targets.reduce((n, t) => n + t.junk, 0)).toBeGreaterThan(0);
    const junk = ["Other", "Miscellaneous", "Various others", "And many more", "N/A", "See above", "Regional variations", `Other ${topic}`, `Various ${topic}`];
    const stored = new Set(texts.map((t) => t.toLowerCase()));
    for (const j of junk) expect(stored.has(j.toLowerCase()), j).toBe(false);

    // Judge calls: stored once each, costed, several pairs per call.
    const calls = await prisma.llmCall.findMany({ where: { runId, producer: "judge" } });
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(calls.every((c) => c.costUsd > 0 && c.provider === "sim")).toBe(true);
    expect(Math.max(...calls.map((c) => c.itemsParsed))).toBeGreaterThan(1);
    // Every answered pair has its decision; a "same" removed the later entry. A merged text is
    // remembered as an alias of its entry: proposed again, it is a duplicate, never judged again.
    const judged = await prisma.dedupDecision.findMany({ where: { runId, kind: { in: ["judged-same", "judged-different"] } } });
    expect(judged.length).toBeGreaterThan(0);
    for (const d of judged) {
      if (d.kind === "judged-same") expect(seqs.has(d.candidateSeq!), `${d.candidate} #${d.candidateSeq}`).toBe(false);
      // Kept, by its seq: its text may since have taken its display form ("FLISA" -> "Flisa").
      else expect(seqs.has(d.candidateSeq!), `${d.candidate} #${d.candidateSeq}`).toBe(true);
    }
    const mergedKeys = judged.filter((d) => d.kind === "judged-same").map((d) => canonicalKey(d.candidate));
    expect(new Set(mergedKeys).size).toBe(mergedKeys.length);
    const review = await api.dedup.review.query({ runId, kind: "merged" });
    expect(review.judge.calls).toBe(calls.length);
    expect(review.judge.costUsd).toBeCloseTo(
      calls.reduce((s, c) => s + c.costUsd, 0),
      9,
    );
  }, 240_000);
});
