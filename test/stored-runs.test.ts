import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "../src/server/api/root";
import { createContext } from "../src/server/api/trpc";
import { connect, disconnect, list } from "../src/server/orchestrator/pm2";
import { PRODUCER_PREFIX } from "../src/server/orchestrator/supervisor";
import { topicSlug } from "../src/lib/slug";
import { testDatabases } from "./helpers/databases";
import { startHarness, waitFor, type Harness } from "./helpers/harness";

/**
 * The history's own changes (issue 20): deleting a stored run (never the active one; its
 * output folder kept unless asked), and importing a run whose rows were lost from its
 * output.txt, through the dedup path, in parts for a large file.
 */
describe.each(testDatabases())("deleting and importing stored runs on $name", (target) => {
  let h: Harness;
  const api = () => createCaller(createContext({ orchestrator: h.app.orchestrator, db: h.app.db }, new Headers()));
  const codeOf = (p: Promise<unknown>) =>
    p.then(
      () => "ok",
      (e: { code?: string }) => e.code,
    );
  const outputOf = (topic: string) => path.join(h.outputDir, topicSlug(topic), "output.txt");
  const readLines = (file: string) => fs.readFileSync(file, "utf8").replace(/\n$/, "").split("\n");

  /** Every row the run has, table by table. */
  async function rowsOf(runId: string) {
    const p = h.app.db.prisma;
    const where = { runId };
    const counts = await Promise.all([
      p.run.count({ where: { id: runId } }),
      p.entry.count({ where }),
      p.event.count({ where }),
      p.metricSample.count({ where }),
      p.llmCall.count({ where }),
      p.branch.count({ where }),
      p.dedupDecision.count({ where }),
      p.entryCheck.count({ where }),
      p.entrySupport.count({ where }),
    ]);
    return counts.reduce((a, b) => a + b, 0);
  }

  async function runFor(topic: string, entries: number): Promise<string> {
    const { runId } = await api().topic.start({ topic, producers: 1, providers: [{ provider: "sim", model: "sim-strong" }] });
    await waitFor(`${entries} entries`, () => h.app.orchestrator.snapshot().totals.unique >= entries);
    return runId;
  }

  beforeAll(async () => {
    h = await startHarness({ db: await target.open(), env: { IGENTAI_SIM_PARAMS: JSON.stringify({ latencyScale: 0.05 }) } });
  });
  afterAll(async () => {
    await h?.close();
    await connect(true);
    expect(await list(PRODUCER_PREFIX)).toEqual([]);
    disconnect();
  });

  it("deletes a stored run's rows, never the active run's, and keeps output.txt unless asked", async () => {
    const runId = await runFor("Volcanoes", 30);
    const conflict = await api()
      .topic.deleteRun({ runId })
      .catch((e: { code: string; message: string }) => e);
    expect(conflict).toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/^runId: run \S+ is the active run; stop it first/) });
    expect(await rowsOf(runId)).toBeGreaterThan(30);
    await api().topic.stop();
    const file = outputOf("Volcanoes");
    const lines = readLines(file);
    expect(lines.length).toBeGreaterThanOrEqual(30);

    const deleted = await api().topic.deleteRun({ runId });
    expect(deleted).toMatchObject({ runId, topic: "Volcanoes", entries: lines.length, folderDeleted: false });
    expect(await rowsOf(runId)).toBe(0);
    expect((await api().topic.list()).map((r) => r.id)).not.toContain(runId);
    expect(readLines(file)).toEqual(lines);
    expect(await codeOf(api().topic.deleteRun({ runId }))).toBe("NOT_FOUND");

    // --files: the folder goes too.
    const second = await runFor("Glaciers", 10);
    await api().topic.stop();
    expect(fs.existsSync(outputOf("Glaciers"))).toBe(true);
    expect(await api().topic.deleteRun({ runId: second, files: true })).toMatchObject({ folderDeleted: true });
    expect(fs.existsSync(path.dirname(outputOf("Glaciers")))).toBe(false);
    expect(await rowsOf(second)).toBe(0);
  }, 120_000);

  it("imports a run from its output.txt through the dedup path, reporting what it set aside", async () => {
    // The folder "Volcanoes" left behind above: its rows are gone, its file is not.
    const file = outputOf("Volcanoes");
    const original = readLines(file);
    const first = original[0]!;
    const lines = [...original, "", first.toUpperCase(), `${first}s`, "Other volcanoes"];
    const report = await api().topic.importRun({ topic: "Volcanoes", lines, source: "output/volcanoes/output.txt" });
    expect(report).toMatchObject({ created: true, lines: original.length + 3, entries: original.length, totalEntries: original.length, keptCopy: null });
    expect(report.exactDuplicates + report.merged + report.junk).toBe(3);
    expect(report.exactDuplicates).toBeGreaterThanOrEqual(1);
    expect(report.junk).toBe(1);
    expect(report.setAside.map((s) => s.line)).toEqual(expect.arrayContaining([first.toUpperCase(), "Other volcanoes"]));
    expect(report.setAside.find((s) => s.line === first.toUpperCase())).toMatchObject({ outcome: "dupExact", duplicateOf: first });

    const { runId } = report;
    const rows = await h.app.db.prisma.entry.findMany({ where: { runId }, orderBy: { seq: "asc" }, select: { seq: true, text: true } });
    expect(rows.map((r) => r.text)).toEqual(original);
    expect(rows.map((r) => r.seq)).toEqual(original.map((_, i) => i + 1));
    expect(readLines(file)).toEqual(original);
    const listed = (await api().topic.list()).find((r) => r.id === runId);
    expect(listed).toMatchObject({ topic: "Volcanoes", state: "stopped", totals: { unique: original.length, candidates: original.length + 3 } });
    expect(await h.app.db.prisma.event.count({ where: { runId, kind: "run.imported" } })).toBe(1);
    if (report.merged > 0) expect((await api().dedup.review({ runId, kind: "merged" })).items.length).toBe(report.merged);

    // The topic has a run now: a second import is refused, naming it.
    const again = await api()
      .topic.importRun({ topic: "Volcanoes", lines })
      .catch((e: { code: string; message: string }) => e);
    expect(again).toMatchObject({ code: "CONFLICT", message: expect.stringContaining(runId) });

    // Resumed, it carries on from the imported entries.
    await api().topic.resume({ runId });
    await waitFor("more entries", () => h.app.orchestrator.snapshot().totals.unique > original.length + 5);
    await api().topic.stop();
    // (display forms may change as the run sees other spellings: the count, not the texts)
    expect(readLines(file).length).toBe(await h.app.db.prisma.entry.count({ where: { runId } }));
    expect(readLines(file).length).toBeGreaterThan(original.length + 5);
  }, 120_000);

  it("imports a large file in parts: duplicates across parts are caught, only an import in progress takes more", async () => {
    const part1 = ["Mount Etna", "Vesuvius", "Stromboli"];
    const part2 = ["Mount Fuji", "vesuvius", "Krakatoa"];
    const r1 = await api().topic.importRun({ topic: "Famous volcanoes", lines: part1 });
    const r2 = await api().topic.importRun({ topic: "Famous volcanoes", lines: part2, runId: r1.runId });
    expect(r2).toMatchObject({ runId: r1.runId, created: false, entries: 2, totalEntries: 5, exactDuplicates: 1 });
    expect(readLines(outputOf("Famous volcanoes"))).toEqual(["Mount Etna", "Vesuvius", "Stromboli", "Mount Fuji", "Krakatoa"]);
    const seqs = await h.app.db.prisma.entry.findMany({ where: { runId: r1.runId }, orderBy: { seq: "asc" }, select: { seq: true } });
    expect(seqs.map((s) => s.seq)).toEqual([1, 2, 3, 4, 5]);

    expect(await codeOf(api().topic.importRun({ topic: "Other topic", lines: ["x y"], runId: r1.runId }))).toBe("BAD_REQUEST");
    const ran = (await api().topic.list()).find((r) => r.topic === "Volcanoes")!;
    expect(await codeOf(api().topic.importRun({ topic: "Volcanoes", lines: ["Mauna Loa"], runId: ran.id }))).toBe("CONFLICT");
    expect(await codeOf(api().topic.importRun({ topic: "Famous volcanoes", lines: [] }))).toBe("BAD_REQUEST");
    expect(await codeOf(api().topic.importRun({ topic: "x", lines: ["a"] }))).toBe("BAD_REQUEST");
  }, 60_000);

  it("keeps a previous output.txt that held lines the imported entries lack", async () => {
    const file = outputOf("Lakes");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, "Lake Baikal\nOther lakes\nLake Titicaca\n");
    const r = await api().topic.importRun({ topic: "Lakes", lines: readLines(file) });
    expect(r).toMatchObject({ entries: 2, junk: 1 });
    expect(readLines(file)).toEqual(["Lake Baikal", "Lake Titicaca"]);
    expect(r.keptCopy).toMatch(/output\.txt\.replaced-/);
    expect(readLines(r.keptCopy!)).toEqual(["Lake Baikal", "Other lakes", "Lake Titicaca"]);
  });
});
