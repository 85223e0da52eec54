import fs from "node:fs";
import path from "node:path";
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller, type AppRouter } from "../src/server/api/root";
import { createContext } from "../src/server/api/trpc";
import { connect, disconnect, list } from "../src/server/orchestrator/pm2";
import { PRODUCER_PREFIX } from "../src/server/orchestrator/supervisor";
import { testDatabases } from "./helpers/databases";
import { startHarness, waitFor, type Harness } from "./helpers/harness";

/**
 * The topic tree for real (issue #9): pm2 producers and breakdown calls against the
 * simulator's hierarchical universe, the tree in the database, hand edits through the API,
 * and a web-app restart in the middle.
 */
const SECRET = "tree-test-secret";

describe.each(testDatabases())("topic tree on $name", (target) => {
  let h: Harness;
  const caller = (secret?: string) =>
    createCaller(createContext({ orchestrator: h.app.orchestrator, db: h.app.db }, new Headers(secret ? { "x-igentai-secret": secret } : {})));
  let api: ReturnType<typeof createTRPCClient<AppRouter>>;

  beforeAll(async () => {
    h = await startHarness({
      db: await target.open(),
      newSecret: () => SECRET,
      env: { IGENTAI_SIM_PARAMS: JSON.stringify({ latencyScale: 0.05, universeShape: "hierarchical" }) },
    });
    api = createTRPCClient<AppRouter>({ links: [httpLink({ url: h.apiUrl })] });
  });
  afterAll(async () => {
    await h?.close();
    await connect(true);
    expect(await list(PRODUCER_PREFIX)).toEqual([]);
    disconnect();
  });

  const codeOf = async (p: Promise<unknown>) => {
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TRPCClientError);
    return (err as TRPCClientError<AppRouter>).data?.code;
  };

  it("grows the tree, new branches find entries, hand edits apply, and the tree survives a restart", async () => {
    const started = await api.topic.start.mutate({ topic: "Tree test topic", producers: 3, requestSize: 20 });
    const runId = started.runId;

    // The root splits once its yield falls; branches proposed by a breakdown call then find entries of their own.
    const grown = await waitFor(
      "a branch of the tree finding entries",
      async () => {
        const t = await api.topic.tree.query({ runId });
        return t.branches.some((b) => b.parentId !== null && b.entries > 0) && t;
      },
      180_000,
    );
    expect(grown.exploration).toBe("tree");
    expect(grown.branches[0]).toMatchObject({ id: 0, parentId: null, path: [] });
    const child = grown.branches.find((b) => b.parentId !== null && b.entries > 0)!;
    expect(child.path.at(-1)).toBe(child.label);

    // A split is an optimisation event, scored once its subtopics have had their first calls.
    const scored = await waitFor(
      "a scored split",
      async () => (await h.app.db.prisma.event.findFirst({ where: { runId, kind: "tree.split", score: { not: null } } })) ?? undefined,
      120_000,
    );
    expect(scored.data).toMatchObject({ outcome: { metric: expect.any(String), improved: expect.any(Boolean) }, added: expect.any(Array) });

    // Breakdown calls are recorded and costed like other calls.
    const treeCalls = await h.app.db.prisma.llmCall.findMany({ where: { runId, producer: "tree" } });
    expect(treeCalls.length).toBeGreaterThan(0);
    // Entries record their branch; filtering by branch gives that branch's entries only.
    const page = await api.topic.entries.query({ runId, branchId: child.id, limit: 1000 });
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.items.every((e) => e.branchId === child.id)).toBe(true);

    // The live snapshot carries the tree; its whole-topic coverage is the run view's, also the tree query's.
    const live = await api.topic.status.query();
    expect(live.tree?.branches.length).toBeGreaterThan(1);
    const tree = await api.topic.tree.query({ runId });
    expect(tree.coverage?.estimatedTotal ?? Number.POSITIVE_INFINITY).toBeGreaterThanOrEqual(tree.coverage?.found ?? 0);
    if (live.run?.coverage) expect(live.run.coverage.found).toBe(live.run.totals.unique);

    // Hand edits: add under the root, pin it, prune another branch.
    const added = await api.topic.addBranch.mutate({ runId, parentId: 0, label: "A hand-made corner" });
    expect(added).toMatchObject({ parentId: 0, label: "A hand-made corner", state: "open" });
    expect((await api.topic.pinBranch.mutate({ runId, branchId: added.id })).state).toBe("pinned");
    expect((await api.topic.pruneBranch.mutate({ runId, branchId: child.id })).state).toBe("pruned");
    // Refused edits name the field and change nothing.
    const before = await api.topic.tree.query({ runId });
    expect(await codeOf(api.topic.pruneBranch.mutate({ runId, branchId: 0 }))).toBe("BAD_REQUEST");
    expect(await codeOf(api.topic.pinBranch.mutate({ runId, branchId: 9999 }))).toBe("NOT_FOUND");
    expect(await codeOf(api.topic.addBranch.mutate({ runId, parentId: 0, label: "a hand-made corner" }))).toBe("BAD_REQUEST");
    expect(await codeOf(api.topic.addBranch.mutate({ runId, parentId: child.id, label: "Under a pruned branch" }))).toBe("BAD_REQUEST");
    expect(await codeOf(api.topic.addBranch.mutate({ runId: "no-such-run", parentId: 0, label: "x" }))).toBe("BAD_REQUEST");
    const after = await api.topic.tree.query({ runId });
    // The run may split or saturate branches meanwhile: the branches there before keep their ids and
    // labels, the edited ones their states, and no refused edit landed.
    const known = new Set(before.branches.map((b) => b.id));
    expect(after.branches.filter((b) => known.has(b.id)).map((b) => [b.id, b.label])).toEqual(before.branches.map((b) => [b.id, b.label]));
    const stateOf = (t: typeof after, id: number) => t.branches.find((b) => b.id === id)?.state;
    for (const id of [added.id, child.id]) expect(stateOf(after, id)).toBe(stateOf(before, id));
    expect(after.branches.filter((b) => !known.has(b.id) && /hand-made corner|under a pruned branch|^x$/i.test(b.label))).toEqual([]);

    // Calls to a pruned branch stop: no entry of it after the prune settles.
    const prunedEntries = async () => await h.app.db.prisma.entry.count({ where: { runId, branchId: child.id } });
    const atPrune = await prunedEntries();

    // A web-app restart while producers run: the tree comes back from the database with its states.
    await waitFor("the tree stored", async () => (await h.app.db.prisma.branch.count({ where: { runId } })) >= after.branches.length);
    const stored = await api.topic.tree.query({ runId });
    await h.restart();
    const reopened = await waitFor("re-attached", async () => {
      const s = await api.topic.status.query();
      return s.state === "running" && s.run?.id === runId && (await api.topic.tree.query({ runId }));
    });
    expect(reopened.branches.slice(0, stored.branches.length).map((b) => [b.id, b.parentId, b.label])).toEqual(
      stored.branches.map((b) => [b.id, b.parentId, b.label]),
    );
    expect(reopened.branches.find((b) => b.id === added.id)?.state).toBe("pinned");
    expect(reopened.branches.find((b) => b.id === child.id)?.state).toBe("pruned");
    expect(reopened.branches.find((b) => b.id === child.id)?.entries).toBeGreaterThanOrEqual(child.entries);
    const unique0 = (await api.topic.status.query()).totals.unique;
    await waitFor("more entries after the restart", async () => (await api.topic.status.query()).totals.unique > unique0 + 20, 120_000);
    await api.topic.stop.mutate();
    // At most the batches in flight at the prune can still land on the pruned branch.
    expect((await prunedEntries()) - atPrune).toBeLessThanOrEqual(3 * 20);

    // One list, one output.txt: every entry once, branch or not.
    const rows = await h.app.db.prisma.entry.findMany({ where: { runId }, orderBy: { seq: "asc" }, select: { seq: true, text: true, branchId: true } });
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
    expect(rows.every((r) => r.branchId !== null)).toBe(true);
    const slug = (await h.app.db.prisma.run.findUniqueOrThrow({ where: { id: runId } })).slug;
    const lines = fs
      .readFileSync(path.join(h.outputDir, slug, "output.txt"), "utf8")
      .replace(/\n$/, "")
      .split("\n");
    expect(lines).toEqual(rows.map((r) => r.text));
  }, 600_000);

  it("keeps flat exploration as before: no tree, no branch on entries", async () => {
    const started = await api.topic.start.mutate({ topic: "Flat test topic", producers: 2, requestSize: 20, exploration: "flat" });
    await waitFor("40 entries", async () => (await api.topic.status.query()).totals.unique >= 40);
    expect((await api.topic.status.query()).tree).toBeNull();
    await api.topic.stop.mutate();
    const t = await api.topic.tree.query({ runId: started.runId });
    expect(t).toMatchObject({ exploration: "flat", branches: [] });
    expect(await h.app.db.prisma.entry.count({ where: { runId: started.runId, branchId: { not: null } } })).toBe(0);
    expect(await h.app.db.prisma.llmCall.count({ where: { runId: started.runId, producer: "tree" } })).toBe(0);
  }, 300_000);

  it("through the procedures: assignments carry the branch, submissions record it, a stopped run's tree is read-only", async () => {
    const { runId } = await caller().topic.start({
      topic: "Caller tree topic",
      producers: 1,
      requestSize: 20,
      tree: { breakdownModel: { provider: "sim", model: "sim-weak" } },
    });
    const hello = await caller(SECRET).producer.hello({ runId, producer: "p9" });
    const branch = hello.assignment.branch!;
    expect(branch).toMatchObject({ id: expect.any(Number), path: expect.any(Array), variant: expect.any(String) });
    const r = await caller(SECRET).producer.submit({
      runId,
      producer: "p9",
      batchId: "tree-caller-1",
      callId: "tree-caller-call-1",
      branchId: branch.id,
      candidates: ["Zzyzx caller item one", "Zzyzx caller item two"],
      call: {
        callId: "tree-caller-call-1",
        provider: "sim",
        model: "sim-strong",
        startedAt: Date.now() - 10,
        latencyMs: 10,
        promptTokens: 100,
        completionTokens: 20,
        itemsParsed: 2,
      },
      sinceSeq: 0,
    });
    expect(r.accepted).toBe(2);
    const mine = await h.app.db.prisma.entry.findMany({ where: { runId, text: { startsWith: "Zzyzx caller" } }, select: { branchId: true } });
    expect(mine).toEqual([{ branchId: branch.id }, { branchId: branch.id }]);
    // The branch's entries include them.
    const page = await caller().topic.entries({ runId, branchId: branch.id, search: "Zzyzx caller" });
    expect(page.items.map((e) => e.text).sort()).toEqual(["Zzyzx caller item one", "Zzyzx caller item two"]);
    // A prompt for another model does not list what only sim-strong proposed: it may propose it too.
    const other = "sim-weak";
    await caller(SECRET).producer.submit({
      runId,
      producer: "p9",
      batchId: "tree-caller-2",
      callId: "tree-caller-call-2",
      branchId: branch.id,
      candidates: ["Zzyzx caller item three"],
      call: {
        callId: "tree-caller-call-2",
        provider: "sim",
        model: other,
        startedAt: Date.now() - 10,
        latencyMs: 10,
        promptTokens: 100,
        completionTokens: 10,
        itemsParsed: 1,
      },
      sinceSeq: 0,
    });
    for (let i = 0; i < 5; i++) {
      const a = (await caller(SECRET).producer.sync({ runId, producer: "p9", sinceSeq: 0 })).assignment;
      const listed = [...a.branch!.own, ...a.branch!.related].filter((t) => t.startsWith("Zzyzx caller"));
      const allowed = a.target.model === "sim-strong" ? ["one", "two"] : a.target.model === other ? ["three"] : [];
      expect(listed.filter((t) => !allowed.some((w) => t.endsWith(w)))).toEqual([]);
    }
    await caller().topic.stop();
    const stored = await caller().topic.tree({ runId });
    expect(stored.exploration).toBe("tree");
    expect(stored.branches[0]).toMatchObject({ id: 0, parentId: null, state: "open" });
    await expect(caller().topic.pinBranch({ runId, branchId: 0 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect((await caller().topic.tree({ runId })).branches).toEqual(stored.branches);
  }, 120_000);
});
