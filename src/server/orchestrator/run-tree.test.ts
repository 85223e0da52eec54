import { describe, expect, it } from "vitest";
import { seededRng } from "../../lib/stats/math";
import { TopicTree } from "../../lib/tree/tree";
import { RunTree } from "./run-tree";

const target = { provider: "sim" as const, model: "sim-strong" };

function setup() {
  const tree = new TopicTree("Rivers");
  tree.addSubtopics(0, ["Rivers of Europe", "Rivers of Asia"], "breakdown-1");
  let now = 1_000_000;
  const events: string[] = [];
  const saved: Array<Array<{ id: number; state: string }>> = [];
  const run = new RunTree({
    tree,
    config: { topic: "Rivers", providers: [target], requestSize: 20, promptBudgetTokens: 2_000 },
    breakdown: async () => {
      throw new Error("no breakdown calls in this test");
    },
    save: async (branches) => {
      saved.push(branches.map((b) => ({ id: b.id, state: b.state })));
    },
    event: async (kind) => {
      events.push(kind);
      return null;
    },
    score: async () => {},
    clock: () => now,
    rng: seededRng(7),
    log: () => {},
  });
  let n = 0;
  /** One finished call of `producer` on `branchId`: `fresh` new entries, `repeats` re-proposals. */
  const call = (producer: string, branchId: number, fresh: number, repeats: number) => {
    const callId = `c${++n}`;
    const newEntries = Array.from({ length: fresh }, (_, i) => `${callId} river ${i}`);
    const reproposed = Array.from({ length: repeats }, (_, i) => `old river ${i}`);
    run.observeCandidates(callId, branchId, newEntries, reproposed);
    run.observeCall(producer, { callId, ...target, promptTokens: 100, completionTokens: 100, latencyMs: 1_000 }, 0.001, branchId);
  };
  return { tree, run, call, events, saved, advance: (ms: number) => (now += ms) };
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
});
