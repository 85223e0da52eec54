import { describe, expect, it } from "vitest";
import { seededRng } from "../../lib/stats/math";
import { TopicTree } from "../../lib/tree/tree";
import { RunTree } from "./run-tree";

const target = { provider: "sim" as const, model: "sim-strong" };
const weak = { provider: "sim" as const, model: "sim-weak" };

function setup(providers: Array<{ provider: "sim"; model: string }> = [target]) {
  const tree = new TopicTree("Rivers");
  tree.addSubtopics(0, ["Rivers of Europe", "Rivers of Asia"], "breakdown-1");
  let now = 1_000_000;
  const events: string[] = [];
  const messages: string[] = [];
  const saved: Array<Array<{ id: number; state: string }>> = [];
  const run = new RunTree({
    tree,
    config: { topic: "Rivers", providers, requestSize: 20, promptBudgetTokens: 2_000 },
    breakdown: async () => {
      throw new Error("no breakdown calls in this test");
    },
    save: async (branches) => {
      saved.push(branches.map((b) => ({ id: b.id, state: b.state })));
    },
    event: async (kind, message) => {
      events.push(kind);
      messages.push(message);
      return null;
    },
    score: async () => {},
    clock: () => now,
    rng: seededRng(7),
    log: () => {},
  });
  let n = 0;
  /** One finished call of `producer` on `branchId`: `fresh` new entries, `repeats` re-proposals. */
  const call = (producer: string, branchId: number, fresh: number, repeats: number, by = target) => {
    const callId = `c${++n}`;
    const newEntries = Array.from({ length: fresh }, (_, i) => `${callId} river ${i}`);
    const reproposed = Array.from({ length: repeats }, (_, i) => `old river ${i}`);
    run.observeCandidates(callId, branchId, newEntries, reproposed);
    run.observeCall(producer, { callId, ...by, promptTokens: 100, completionTokens: 100, latencyMs: 1_000 }, 0.001, branchId);
  };
  return { tree, run, call, events, messages, saved, advance: (ms: number) => (now += ms) };
}

describe("RunTree", () => {
  it("sends no call to a branch once it saturates, even before the allocation is refreshed", async () => {
    const { tree, run, call, events } = setup();
    // Branch 1 yields nothing new for a few calls: saturated. The clock does not move, so only
    // the change of state can have refreshed the allocation.
    for (let i = 0; i < 3; i++) {
      run.assignment("p1", target);
      call("p1", 1, 0, 20);
    }
    expect(tree.branch(1).state).toBe("saturated");
    expect(events).toContain("tree.saturated");
    for (let i = 0; i < 200; i++) {
      const a = run.assignment(`p${i}`, target);
      expect(a.branch?.id).not.toBe(1);
    }
  });

  it("un-prunes a branch: open again, stored, logged, and it gets calls again", async () => {
    const { tree, run, events, saved } = setup();
    expect(run.prune(1).state).toBe("pruned");
    for (let i = 0; i < 50; i++) expect(run.assignment(`p${i}`, target).branch?.id).not.toBe(1);
    expect(() => run.prune(2, false)).toThrow(/branchId: branch 2 is not pruned/);
    expect(() => run.prune(0, false)).toThrow(/branchId: branch 0 is not pruned/);
    expect(run.prune(1, false).state).toBe("open");
    expect(tree.branch(1).state).toBe("open");
    expect(events).toEqual(["tree.pruned", "tree.unpruned"]);
    await run.flush();
    expect(saved.at(-1)).toEqual([{ id: 1, state: "open" }]);
    const seen = new Set<number | undefined>();
    for (let i = 0; i < 200; i++) seen.add(run.assignment(`q${i}`, target).branch?.id);
    expect(seen).toContain(1);
  });

  it("keeps finding branches while calls finish within the refresh interval", async () => {
    const { run, call, advance } = setup();
    const seen = new Set<number>();
    for (let i = 0; i < 60; i++) {
      const a = run.assignment(`p${i % 5}`, target);
      seen.add(a.branch!.id);
      call(`p${i % 5}`, a.branch!.id, 15, 5);
      advance(100);
    }
    // Every open branch (root included) keeps getting calls.
    expect([...seen].sort()).toEqual([0, 1, 2]);
  });

  it("moves an inventing model's calls out of a branch once verification rejects its entries there; the other model keeps it", async () => {
    const { run, call, events, messages, advance } = setup([target, weak]);
    for (let i = 0; i < 6; i++)
      for (const by of [target, weak])
        for (const b of [1, 2]) {
          call("p1", b, 15, 5, by);
          advance(100);
        }
    for (let i = 0; i < 10; i++) {
      run.observeVerdict("sim:sim-weak", 1, false);
      run.observeVerdict("sim:sim-strong", 1, true);
      run.observeVerdict("sim:sim-weak", 2, true);
    }
    expect(events.filter((e) => e === "tree.arm-paused")).toHaveLength(1);
    expect(messages.find((m) => m.startsWith('sim:sim-weak paused in "Rivers of Europe"'))).toMatch(/kept \d+ % .*\(\d+ verdicts\)/);
    advance(2_000);
    const branchesOf = (by: typeof target) => {
      const seen = new Set<number | undefined>();
      for (let i = 0; i < 200; i++) seen.add(run.assignment(`${by.model}-${i}`, by).branch?.id);
      return seen;
    };
    // Leases are per producer: each model's producers of its own.
    const weakSeen = branchesOf(weak);
    expect(weakSeen).not.toContain(1);
    expect(weakSeen).toContain(2);
    expect(branchesOf(target)).toContain(1);
  });
});
