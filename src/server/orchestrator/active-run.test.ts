import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EntryLedger } from "../../lib/entry-ledger";
import type { CallRecord } from "../../lib/protocol";
import { Optimizer } from "../../lib/routing/optimizer";
import type { RunConfig } from "../../lib/run-config";
import { ActiveRun } from "./active-run";
import { RunMetrics } from "./metrics";
import { OutputFile } from "./output-file";
import type { EntryRow, SupportRow } from "./repo";
import { onAnyRunEvent, type RunEventMap } from "./run-events";
import { RunStates } from "./run-state";
import type { RunTreeDeps } from "./run-tree";
import { seededRng } from "../../lib/stats/math";
import { TopicTree } from "../../lib/tree/tree";

// The run's bus (run-events.ts) on the real ActiveRun, its ledger, writer and output.txt: each
// event comes after the state it announces, and the spend changes only through the run.

const config: RunConfig = {
  topic: "Rivers",
  producers: 1,
  providers: [{ provider: "sim", model: "sim-fast", weight: 1 }],
  requestSize: 20,
  promptBudgetTokens: 2_000,
  concurrency: 1,
  strategy: "roundrobin",
  stop: {},
};
const target = { provider: "sim", model: "sim-fast" };
const call = (callId: string): CallRecord => ({ callId, ...target, startedAt: 0, latencyMs: 100, promptTokens: 200, completionTokens: 50, itemsParsed: 3 });

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function openTestRun(tree: RunTreeDeps | null = null) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "igentai-active-run-"));
  dirs.push(dir);
  const output = new OutputFile(path.join(dir, "output.txt"));
  await output.reconcile([]);
  const stored: EntryRow[] = [];
  const supports: SupportRow[] = [];
  const run = new ActiveRun({
    id: "r1",
    slug: "rivers",
    config,
    mode: "stopped",
    secretHash: "",
    startedAt: 1_000,
    ledger: new EntryLedger(),
    metrics: new RunMetrics(),
    totalCandidates: 0,
    costUsd: 0.5,
    optimizer: new Optimizer(config, { clock: () => 1_000, log: () => undefined }),
    output,
    insert: async (rows, _decisions, support) => {
      stored.push(...rows);
      supports.push(...support);
    },
    log: () => undefined,
    tree,
  });
  return { run, output, stored, supports, file: path.join(dir, "output.txt") };
}

// The public fields of ActiveRun that can be assigned, methods aside (none: its state changes only inside the run). Checked by tsc.
type IfEquals<X, Y, A> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? A : never;
type WritableKeys<T> = {
  [K in keyof T]-?: T[K] extends (...args: never[]) => unknown ? never : IfEquals<{ [Q in K]: T[K] }, { -readonly [Q in K]: T[K] }, K>;
}[keyof T];
// Fails to compile when some public property of ActiveRun can be assigned.
const noWritableField: [WritableKeys<ActiveRun>] extends [never] ? true : false = true;

describe("the run's event bus", () => {
  it("announces a batch after its entries are stored and in output.txt, then its classification and the call's spend", async () => {
    const { run, output, stored, file } = await openTestRun();
    const seen: string[] = [];
    const committed: RunEventMap["committed"][] = [];
    run.events.on("committed", (e) => {
      committed.push(e);
      // The rows are in the DB sink, the file and the run's own figures when the event comes.
      seen.push(
        `committed ${e.rows.length}: stored ${stored.length}, file ${fs.readFileSync(file, "utf8").split("\n").filter(Boolean).length}, run ${run.totalUnique}`,
      );
    });
    run.events.on("classified", (e) => seen.push(`classified ${e.candidates}/${e.accepted}: run ${run.totalCandidates}`));
    run.events.on("spend", (e) => seen.push(`spend ${e.source} ${e.costUsd}: total ${e.totalUsd} = run ${run.costUsd}`));

    const { outcome } = run.submit(
      { runId: "r1", producer: "p1", batchId: "b1", callId: "c1", candidates: ["Nile", "Amazon", "Nile", "Danube"], sinceSeq: 0 },
      target,
      1_000,
    );
    expect(await outcome).toMatchObject({ accepted: 3, duplicates: 1 });
    run.observeCall("p1", call("c1"), 0.25, 1_100);
    // A retried batch changes nothing and announces nothing.
    expect((await run.submit({ runId: "r1", producer: "p1", batchId: "b1", candidates: ["Rhine"], sinceSeq: 0 }, target, 1_200).outcome).accepted).toBe(3);

    expect(seen).toEqual(["committed 3: stored 3, file 3, run 3", "classified 4/3: run 4", "spend producer 0.25: total 0.75 = run 0.75"]);
    expect(committed[0]!.rows.map((r) => r.text)).toEqual(["Nile", "Amazon", "Danube"]);
    expect(run.newest.map((n) => n.text)).toEqual(["Nile", "Amazon", "Danube"]);
    await run.writer.close();
    await output.close();
  });

  it("counts the server's own calls in the run's spend and figures, by source", async () => {
    const { run, output } = await openTestRun();
    const spend: string[] = [];
    run.events.on("spend", (e) => spend.push(`${e.source} ${e.totalUsd}`));
    run.observeServerCall(call("t1"), 0.125, "tree");
    run.observeServerCall(call("j1"), 0.25, "judge");
    run.observeServerCall(call("v1"), 0.125, "verify");
    expect(spend).toEqual(["tree 0.625", "judge 0.875", "verify 1"]);
    expect(run.costUsd).toBe(1);
    expect(run.metrics.snapshot(2_000).overall).toMatchObject({ calls: 3, costUsd: 0.5 });
    await run.writer.close();
    await output.close();
  });

  it("takes its mode from the state machine and announces it; the live view's subscription ends with its owner", async () => {
    const { run, output } = await openTestRun();
    const states = new RunStates({ clock: () => 2_000, save: async () => undefined, log: () => undefined });
    const modes: string[] = [];
    let wakes = 0;
    run.events.on("mode", (c) => modes.push(`${c.from}->${c.to} (run ${run.mode})`));
    const unfollow = onAnyRunEvent(run.events, () => wakes++);
    await states.setMode(run, "starting");
    await states.setMode(run, "running");
    unfollow();
    await states.setMode(run, "stopping", "stopped by user");
    expect(modes).toEqual(["stopped->starting (run starting)", "starting->running (run running)", "running->stopping (run stopping)"]);
    expect(wakes).toBe(2);
    await run.writer.close();
    await output.close();
  });

  it("exposes no field another module could assign: counters are read through getters", async () => {
    const { run, output } = await openTestRun();
    expect(noWritableField).toBe(true);
    // Getters without setters: an assignment from outside throws (strict mode) and changes nothing.
    expect(() => Object.assign(run, { costUsd: 99 })).toThrow(TypeError);
    expect(() => Object.assign(run, { mode: "running" })).toThrow(TypeError);
    expect([run.costUsd, run.mode]).toEqual([0.5, "stopped"]);
    await run.writer.close();
    await output.close();
  });

  it("keeps a subscriber's failure out of the run: the batch is committed and acknowledged", async () => {
    const { run, output, stored } = await openTestRun();
    run.events.on("committed", () => {
      throw new Error("a broken subscriber");
    });
    const seen: number[] = [];
    run.events.on("committed", (e) => seen.push(e.rows.length));
    const { outcome } = run.submit({ runId: "r1", producer: "p1", batchId: "b1", candidates: ["Volga"], sinceSeq: 0 }, target, 1_000);
    expect((await outcome).accepted).toBe(1);
    expect(stored.map((r) => r.text)).toEqual(["Volga"]);
    expect(seen).toEqual([1]);
    await run.writer.close();
    await output.close();
  });
});

describe("support writes", () => {
  const batch = (batchId: string, candidates: string[], producer = "p1") => ({ runId: "r1", producer, batchId, candidates, sinceSeq: 0 });

  it("write an entry's support only beyond its own proposal, and none for an entry merged away before the flush", async () => {
    const { run, supports } = await openTestRun();
    await run.submit(batch("b1", ["Rhine", "Volga"]), target, 1_000).outcome;
    expect(supports).toEqual([]); // each its own proposal: no support row
    await run.submit(batch("b2", ["Rhine"], "p2"), target, 1_001).outcome;
    expect(supports).toEqual([{ seq: 1, calls: 2, producers: 2, models: 1, producerList: ["p1", "p2"], modelList: ["sim:sim-fast"] }]);
    // A re-proposal of Volga is queued behind a merge of Volga into Rhine: its support is not written.
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const merged = run.writer.exclusive(async () => {
      await gate;
      await run.forgetMerged("Volga", "Rhine");
    });
    const again = run.submit(batch("b3", ["Volga"], "p3"), target, 1_002).outcome;
    release();
    await merged;
    await again;
    expect(supports.map((s) => s.seq)).toEqual([1]);
  });

  it("marks the entries an answer introduced when that answer mostly repeated its prompt's list (a kind apart for verification)", async () => {
    const { run, output } = await openTestRun();
    await run.submit({ ...batch("b1", ["Rhine", "Volga"]), callId: "fresh" }, target, 1_000).outcome;
    await run.submit({ ...batch("b2", ["Oder", "Rhine", "Elbe"]), callId: "repeating" }, target, 1_001).outcome;
    run.observeCall("p1", { ...call("fresh"), itemsParsed: 2, itemsShown: 0 }, 0.1, 1_100);
    // 2 of 3 items were on its prompt's list: trust ~0.01.
    run.observeCall("p1", { ...call("repeating"), itemsParsed: 3, itemsShown: 2 }, 0.1, 1_101);
    expect(["Rhine", "Volga", "Oder", "Elbe"].map((t) => run.support.fromRepeatingAnswer(t))).toEqual([false, false, true, true]);
    await run.writer.close();
    await output.close();
  });

  it("lists for a model's prompt only what it should not propose again: not another model's lone entries, not a lone rejected one", async () => {
    const { run, output } = await openTestRun();
    const other = { provider: "sim", model: "sim-strong" };
    await run.submit(batch("b1", ["Rhine", "Volga", "Oder"]), target, 1_000).outcome;
    await run.submit(batch("b2", ["Elbe", "Oder"], "p2"), other, 1_001).outcome;
    const texts = ["Rhine", "Volga", "Oder", "Elbe"];
    expect(texts.filter(run.support.shownTo("sim:sim-fast", run.rejected))).toEqual(["Rhine", "Volga", "Oder"]);
    expect(texts.filter(run.support.shownTo("sim:sim-strong", run.rejected))).toEqual(["Oder", "Elbe"]);
    expect(texts.filter(run.support.shownTo("sim:sim-weak", run.rejected))).toEqual(["Oder"]);
    // Rejected: an entry one call proposed leaves every prompt (its model may propose it again), one two models proposed stays.
    await run.applyVerdicts(["Volga", "Oder"], async () => undefined);
    expect(texts.filter(run.support.shownTo("sim:sim-fast", run.rejected))).toEqual(["Rhine", "Oder"]);
    // Proposed again by its model: listed for it again (one repeated slot, not one a call).
    await run.submit(batch("b3", ["Volga"]), target, 1_002).outcome;
    expect(texts.filter(run.support.shownTo("sim:sim-fast", run.rejected))).toEqual(["Rhine", "Volga", "Oder"]);
    expect(texts.filter(run.support.shownTo("sim:sim-strong", run.rejected))).toEqual(["Oder", "Elbe"]);
    await run.writer.close();
    await output.close();
  });

  it("counts a re-proposal towards a branch's saturation only when the model's prompt could list the entry", async () => {
    const topic = new TopicTree("Rivers");
    topic.addSubtopics(0, ["Rivers of Europe"], "breakdown-1");
    const fail = async (): Promise<never> => {
      throw new Error("no breakdown calls in this test");
    };
    const deps: RunTreeDeps = {
      tree: topic,
      config: { ...config, providers: [{ provider: "sim", model: "sim-fast" }] },
      breakdown: fail,
      save: async () => undefined,
      event: async () => null,
      score: async () => undefined,
      clock: () => 1_000,
      rng: seededRng(1),
      log: () => undefined,
    };
    const { run, output } = await openTestRun(deps);
    const other = { provider: "sim", model: "sim-strong" };
    const propose = async (callId: string, by: typeof target, candidates: string[]) => {
      await run.submit({ ...batch(callId, candidates), callId, branchId: 1 }, by, 1_000).outcome;
      run.observeCall("p1", { ...call(callId), ...by, itemsParsed: candidates.length }, 0.01, 1_100, 1);
    };
    await propose("c1", other, ["Oder", "Elbe"]);
    // sim-fast's prompt could not list sim-strong's lone entries: proposing them is support, not a repeat.
    await propose("c2", target, ["Oder", "Vltava"]);
    expect([...topic.reproposedIn(1).keys()]).toEqual([]);
    // Now both proposed Oder: any prompt lists it, and proposing it again is a repeat.
    await propose("c3", target, ["Oder"]);
    expect([...topic.reproposedIn(1).entries()]).toEqual([["Oder", 1]]);
    await run.writer.close();
    await output.close();
  });
});
