import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveApi } from "../src/server/http";
import { insertDecisions } from "../src/server/orchestrator/repo";
import { topicSlug } from "../src/lib/slug";
import { startHarness, waitFor, type Harness } from "./helpers/harness";

const run = promisify(execFile);
const BIN = path.join(process.cwd(), "bin", "igentai.js");

/** The `igentai` command as a user runs it, against a real server. */
describe("igentai CLI", () => {
  let h: Harness;
  let url: string;
  const cli = (...args: string[]) => run(process.execPath, [BIN, "--url", url, ...args], { timeout: 30_000 });
  /** The CLI with `input` on its standard input (an answer to a question), then end of input. */
  const cliWithInput = (input: string, ...args: string[]) => {
    const p = run(process.execPath, [BIN, "--url", url, ...args], { timeout: 30_000 });
    p.child.stdin?.end(input);
    return p;
  };
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => ({ code: 0, stderr: "" }),
      (e: { code: number; stderr: string }) => e,
    );

  beforeAll(async () => {
    h = await startHarness({ db: { dataDir: "memory://" }, env: { IGENTAI_SIM_PARAMS: JSON.stringify({ latencyScale: 0.05 }) } });
    url = h.apiUrl.replace(/\/api\/trpc$/, "");
  });
  afterAll(async () => h?.close());

  it("starts a topic, reports status and entries, and stops it", async () => {
    const started = await cli("start", "Paris attractions", "-n", "1", "-m", "sim:sim-strong");
    expect(started.stdout).toMatch(/^started run [0-9a-f-]{36} \(0 entries so far\)/);
    await waitFor("entries", async () => h.app.orchestrator.snapshot().totals.unique >= 10);

    const status = JSON.parse((await cli("status", "--json")).stdout) as { state: string; run: { topic: string } };
    expect(status).toMatchObject({ state: "running", run: { topic: "Paris attractions" } });
    expect((await cli("status")).stdout).toMatch(/running: "Paris attractions" — [\d,]+ unique/);
    expect((await cli("entries", "--limit", "3")).stdout.trim().split("\n")).toHaveLength(3);

    // Near-duplicate decisions as the writer stores them, listed by `dupes`.
    const runId = h.app.orchestrator.snapshot().run!.id;
    const decision = {
      candidateSeq: null,
      entrySeq: 1,
      edit: null,
      cost: null,
      sources: null,
      verdict: null,
      producer: "p1",
      provider: "sim",
      model: "sim-strong",
      at: new Date(),
    };
    await insertDecisions(h.app.db.prisma, runId, [
      { ...decision, origin: "cli:1", kind: "merged", candidate: "Eifel Towre", entryText: "Eiffel Tower", reason: "typo" },
      {
        ...decision,
        origin: "cli:2",
        kind: "kept-apart",
        candidate: "Louvres Pyramid",
        candidateSeq: 9,
        entryText: "Louvre Pyramid",
        reason: "weak-evidence",
        edit: "indel",
        cost: 1,
      },
    ]);
    const dupes = (await cli("dupes")).stdout;
    expect(dupes).toMatch(/^decision\s+seq\s+candidate \(kept\)\s+seq\s+similar entry\s+why$/m);
    expect(dupes).toMatch(/^\s*\d+\s+#9\s+Louvres Pyramid\s+~\s+#1\s+Louvre Pyramid\s+kept-apart, indel$/m);
    const merged = (await cli("dupes", "--merged")).stdout;
    expect(merged).toMatch(/^decision\s+seq\s+merged candidate\s+seq\s+into entry\s+why$/m);
    expect(merged).toMatch(/Eifel Towre\s+->\s+#1\s+Eiffel Tower\s+merged, typo$/m);
    // Review at scale: every open pair of one kind at once, then the undo it prints.
    expect((await cli("dupes")).stdout).toMatch(/open, by kind: .*weak-evidence \d+/);
    const bulk = (await cli("dupes", "--merge-all", "weak-evidence")).stdout;
    expect(bulk).toMatch(/Louvres Pyramid\s+->\s+Louvre Pyramid/);
    expect(bulk).toMatch(/merged [1-9]\d*, skipped \d+; undo: igentai dupes \S+ --undo [\d,]+/);
    const undo = (await cli("dupes", "--undo", /--undo ([\d,]+)/.exec(bulk)![1]!)).stdout;
    // (the entry stored under #9 is the simulator's; the fake decision above only pairs it with #1)
    expect(undo).toMatch(new RegExp(`restored ${/merged (\d+)/.exec(bulk)![1]}, skipped 0`));

    expect((await cli("stop")).stdout).toMatch(/^stopped run /);
    const listed = (await cli("list")).stdout;
    expect(listed).toMatch(/^run\s+state\s+started\s+active\s+entries\s+cost\s+topic$/m);
    expect(listed).toMatch(
      new RegExp(`^${runId}\\s+stopped\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d\\s+\\S+( \\S+)?\\s+[\\d,]+\\s+\\$\\d+\\.\\d{4}\\s+Paris attractions$`, "m"),
    );
    expect((await cli("stop")).stdout).toMatch(/nothing was running/);

    // Resume without an id: the newest stored run, with whole-run figures.
    const stored = await h.app.db.prisma.run.findUniqueOrThrow({ where: { id: runId }, select: { totalUnique: true } });
    expect((await cli("resume")).stdout).toBe(`resumed run ${runId} (${stored.totalUnique.toLocaleString("en-US")} entries so far)\n`);
    const resumedStatus = (await cli("status")).stdout;
    expect(resumedStatus).toMatch(/running: "Paris attractions" — [\d,]+ unique, .* [\d,]+ calls, [\d,]+ tokens, \$\d+\.\d{4}/);
    expect(resumedStatus).toMatch(/started \d{4}-\d\d-\d\d \d\d:\d\d, active .* \(whole run, over every stretch\)/);
    expect((await cli("list")).stdout).toMatch(new RegExp(`^${runId}\\s+(starting|running) \\(live\\)`, "m"));
    expect((await cli("stop")).stdout).toMatch(/^stopped run /);
    const none = await cli("resume", "no-such-run").catch((e: { code: number; stderr: string }) => e);
    expect(none).toMatchObject({ code: 2 });
    expect((none as { stderr: string }).stderr).toMatch(/no run no-such-run/);
  }, 120_000);

  it("edits the tree, merges and restores, deletes a run (asking first) and imports it back from output.txt", async () => {
    expect((await cli("start", "Rivers", "-n", "1", "-m", "sim:sim-strong")).stdout).toMatch(/^started run /);
    await waitFor("entries", async () => h.app.orchestrator.snapshot().totals.unique >= 10);
    const runId = h.app.orchestrator.snapshot().run!.id;

    const added = (await cli("tree", "add", "Rivers", "of", "Atlantis")).stdout;
    expect(added).toMatch(/^added branch \d+ "Rivers of Atlantis" under 0$/m);
    const id = /branch (\d+)/.exec(added)![1]!;
    expect((await cli("tree", "prune", id)).stdout).toBe(`branch ${id} "Rivers of Atlantis" is pruned\n`);
    expect((await cli("tree", "unprune", id)).stdout).toBe(`branch ${id} "Rivers of Atlantis" is open\n`);
    // Stored and logged like the other hand edits.
    await waitFor("the branch stored open", async () => (await h.app.db.prisma.branch.findFirst({ where: { runId, id: Number(id) } }))?.state === "open");
    const logged = await h.app.db.prisma.event.findMany({ where: { runId, kind: { in: ["tree.pruned", "tree.unpruned"] } }, orderBy: { id: "asc" } });
    expect(logged.map((e) => [e.kind, e.message])).toEqual([
      ["tree.pruned", 'branch "Rivers of Atlantis" pruned'],
      ["tree.unpruned", 'branch "Rivers of Atlantis" un-pruned'],
    ]);
    expect(await failure(cli("tree", "unprune", id))).toMatchObject({ code: 2, stderr: `igentai: branchId: branch ${id} is not pruned\n` });
    expect((await cli("tree", "pin", id)).stdout).toBe(`branch ${id} "Rivers of Atlantis" is pinned\n`);
    expect(await failure(cli("tree", "prune", "0"))).toMatchObject({ code: 2, stderr: expect.stringMatching(/branchId: the root cannot be pruned/) });
    expect(await failure(cli("tree", "pin", "x"))).toMatchObject({ code: 2, stderr: expect.stringMatching(/<branchId> must be a whole number/) });
    expect((await cli("tree", "--help")).stdout).toMatch(/igentai tree pin\|prune\|unprune <branchId>/);

    // A merge by hand, and its undo.
    const [a, b] = await h.app.db.prisma.entry.findMany({ where: { runId }, orderBy: { seq: "asc" }, take: 2, select: { seq: true, text: true } });
    const merged = (await cli("merge", String(b!.seq), String(a!.seq))).stdout;
    expect(merged).toMatch(new RegExp(`^merged entry #${b!.seq} into #${a!.seq} \\(decision (\\d+); undo: igentai restore \\1\\)$`, "m"));
    const decision = /decision (\d+)/.exec(merged)![1]!;
    expect((await cli("restore", decision)).stdout).toMatch(new RegExp(`^restored "${b!.text}" as entry #\\d+$`, "m"));
    expect(await failure(cli("restore", decision))).toMatchObject({ code: 2, stderr: expect.stringMatching(/decisionId: decision \d+ was already restored/) });
    expect(await failure(cli("merge", "3", "3"))).toMatchObject({ code: 2, stderr: expect.stringMatching(/seq: must differ from intoSeq/) });
    expect(await failure(cli("merge", "3"))).toMatchObject({ code: 2, stderr: expect.stringMatching(/missing <intoSeq>/) });

    // Delete: refused while it runs; asks first; the output folder stays.
    expect(await failure(cli("delete", runId, "--yes"))).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/runId: run \S+ is the active run; stop it first/),
    });
    await cli("stop");
    const entries = await h.app.db.prisma.entry.count({ where: { runId } });
    const declined = await failure(cliWithInput("", "delete", runId));
    expect(declined).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/Delete run \S+ "Rivers" \([\d,]+ entries\); its output.txt is kept\? \[y\/N\] igentai: not deleted/),
    });
    const deleted = (await cliWithInput("y\n", "delete", runId)).stdout;
    expect(deleted).toMatch(new RegExp(`^deleted run ${runId} "Rivers" \\(${entries.toLocaleString("en-US")} entries\\); \\S+ kept$`, "m"));
    expect((await cli("list")).stdout).not.toContain(runId);

    // Import it back from the folder that was kept: the topic is read from the folder's name.
    const file = path.join(h.outputDir, topicSlug("Rivers"), "output.txt");
    const imported = (await cli("import", file)).stdout;
    expect(imported).toMatch(
      new RegExp(
        `^imported run (\\S+) "Rivers": ${entries.toLocaleString("en-US")} entries from ${entries.toLocaleString("en-US")} lines; set aside 0 duplicate`,
        "m",
      ),
    );
    expect(imported).toMatch(/continue it with: igentai resume \S+$/m);
    const newId = /imported run (\S+)/.exec(imported)![1]!;
    expect((await cli("list")).stdout).toMatch(
      new RegExp(`^${newId}\\s+stopped\\s+–\\s+–\\s+${entries.toLocaleString("en-US")}\\s+\\$0\\.0000\\s+Rivers$`, "m"),
    );
    expect(await failure(cli("import", file))).toMatchObject({ code: 2, stderr: expect.stringMatching(/topic: "Rivers" already has run/) });
    expect(await failure(cli("import", path.join(h.outputDir, "elsewhere.txt")))).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/<path>: cannot read/),
    });

    expect((await cli("delete", newId, "--yes", "--files")).stdout).toMatch(/; \S+ deleted$/m);
    expect(fs.existsSync(path.dirname(file))).toBe(false);
  }, 300_000);

  it("rejects bad input with a message and exit code 2, starting nothing", async () => {
    const bad = await cli("start", "x").catch((e: { code: number; stderr: string }) => e);
    expect(bad).toMatchObject({ code: 2 });
    expect((bad as { stderr: string }).stderr).toMatch(/topic: topic must have at least 2 characters/);
    const badModel = await cli("start", "enzymes", "-m", "gpt-4").catch((e: { code: number; stderr: string }) => e);
    expect((badModel as { stderr: string }).stderr).toMatch(/not provider:model/);
    expect(h.app.orchestrator.snapshot().state).toBe("idle");
  }, 60_000);

  it("passes the API token (--token or IGENTAI_API_TOKEN) to a server that requires one", async () => {
    const token = "cli-test-token-0123456789";
    const guarded = await serveApi(() => h.app, 0, { allowedHosts: [], token });
    try {
      const at = `http://127.0.0.1:${guarded.port}`;
      const refused = await run(process.execPath, [BIN, "--url", at, "status"], { timeout: 30_000 }).catch((e: { code: number; stderr: string }) => e);
      expect(refused).toMatchObject({ code: 2 });
      expect((refused as { stderr: string }).stderr).toMatch(/requires a token/);
      expect((await run(process.execPath, [BIN, "--url", at, "--token", token, "status"], { timeout: 30_000 })).stdout).toMatch(/idle|running|stopped/);
      const viaEnv = await run(process.execPath, [BIN, "--url", at, "list"], { timeout: 30_000, env: { ...process.env, IGENTAI_API_TOKEN: token } });
      expect(viaEnv.stdout).toMatch(/Paris attractions/);
    } finally {
      await guarded.close();
    }
  }, 60_000);
});
