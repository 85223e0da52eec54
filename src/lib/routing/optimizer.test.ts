import { describe, expect, it } from "vitest";
import { targetLabel } from "../providers";
import type { RunConfig } from "../run-config";
import { seededRng } from "../stats/math";
import { callObservation, Optimizer, type CallObservation } from "./optimizer";
import type { OptimizerEvent, OptimizerPersist } from "./optimizer-options";
import { ProducerPool } from "./simulate";

const MIN = 60_000;
const STRONG = "sim:sim-strong";
const WEAK = "sim:sim-weak";

function config(over: Partial<RunConfig> = {}): RunConfig {
  return {
    topic: "Birds",
    producers: 4,
    providers: [
      { provider: "sim", model: "sim-strong", weight: 1 },
      { provider: "sim", model: "sim-weak", weight: 1 },
    ],
    requestSize: 50,
    promptBudgetTokens: 1_000,
    concurrency: 1,
    strategy: "adaptive",
    stop: {},
    ...over,
  };
}

function fakeClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, set: (t: number) => (now = t) };
}

/** A persistence fake that records what the Event table would hold. */
function memoryPersist() {
  const rows = new Map<bigint, OptimizerEvent & { score?: number; scored?: Record<string, unknown> }>();
  let next = 1n;
  const persist: OptimizerPersist = {
    addEvent: async (e) => {
      const id = next++;
      rows.set(id, { ...e });
      return id;
    },
    scoreEvent: async (id, score, data) => {
      const row = rows.get(id);
      if (!row) throw new Error(`no event ${id}`);
      row.score = score;
      row.scored = data;
    },
  };
  return { persist, rows };
}

type Model = { itemsNew: number; latencyMs: number; costUsd: number; itemsShown?: number; error?: CallObservation["error"] };

/**
 * Producers calling back to back: each asks the optimiser for its target, "calls" it (the
 * model gives the outcome), reports the call, and the loop ticks every simulated second.
 */
function drive(
  opt: Optimizer,
  clock: ReturnType<typeof fakeClock>,
  input: { producers: number; from: number; to: number; model: (target: string, t: number) => Model },
) {
  const picks: Array<{ at: number; target: string }> = [];
  const pool = new ProducerPool<CallObservation>(input.producers, input.from);
  let nextTick = input.from;
  const ticks: ReturnType<Optimizer["tick"]>[] = [];
  for (let step = pool.next(); step && step.now < input.to; step = pool.next()) {
    const { producer: p, now, ended: done } = step;
    while (nextTick <= now) {
      clock.set(nextTick);
      ticks.push(opt.tick(nextTick));
      nextTick += 1_000;
    }
    clock.set(now);
    if (done) opt.observeCall(done);
    const producer = `p${p + 1}`;
    const target = targetLabel(opt.targetFor(producer, now));
    picks.push({ at: now, target });
    const m = input.model(target, now);
    const obs: CallObservation = {
      at: now + m.latencyMs,
      producer,
      target,
      promptTokens: 800,
      completionTokens: 400,
      costUsd: m.costUsd,
      latencyMs: m.latencyMs,
      itemsParsed: 40,
      itemsNew: m.itemsNew,
      ...(m.itemsShown !== undefined ? { itemsShown: m.itemsShown } : {}),
      dupExact: 40 - m.itemsNew,
      dupNear: 0,
      junk: 0,
      ...(m.error ? { error: m.error } : {}),
    };
    pool.start(p, obs.at, obs);
  }
  const share = (target: string, from: number, to: number) => {
    const inRange = picks.filter((x) => x.at >= from && x.at < to);
    return inRange.filter((x) => x.target === target).length / Math.max(1, inRange.length);
  };
  return { picks, ticks, share };
}

const strongWeak = (target: string): Model =>
  target === STRONG ? { itemsNew: 20, latencyMs: 4_000, costUsd: 0.002 } : { itemsNew: 4, latencyMs: 4_000, costUsd: 0.002 };

describe("Optimizer", () => {
  it("under adaptive, sends most calls to the stronger target and keeps exploring the weaker one", () => {
    const clock = fakeClock();
    const opt = new Optimizer(config(), { clock: clock.now, rng: seededRng(3), log: () => {} });
    const t0 = clock.now();
    const { share } = drive(opt, clock, { producers: 4, from: t0, to: t0 + 10 * MIN, model: strongWeak });
    // No evidence yet: the first round of calls is split evenly.
    expect(share(STRONG, t0, t0 + 1)).toBe(0.5);
    expect(share(STRONG, t0 + 3 * MIN, t0 + 10 * MIN)).toBeGreaterThan(0.85);
    expect(share(WEAK, t0 + 3 * MIN, t0 + 10 * MIN)).toBeGreaterThan(0.02);
    const snap = opt.snapshot(t0 + 10 * MIN);
    expect(snap.weights[STRONG]).toBeGreaterThan(0.85);
    expect(snap.shares[STRONG]).toBeGreaterThan(0.85);
    expect(snap.stats[STRONG]!.uniquePerMinute).toBeGreaterThan(snap.stats[WEAK]!.uniquePerMinute!);
  });

  it("under adaptive, counts a target's new entries times the share verification keeps: a cheap inventing model loses its calls", () => {
    // sim-weak looks best (as many new entries at a quarter of the price), but 9 in 10 of them are rejected.
    const cheapInventor = (target: string): Model =>
      target === STRONG ? { itemsNew: 20, latencyMs: 4_000, costUsd: 0.002 } : { itemsNew: 20, latencyMs: 4_000, costUsd: 0.0005 };
    const run = (withVerdicts: boolean) => {
      const clock = fakeClock();
      const opt = new Optimizer(config(), { clock: clock.now, rng: seededRng(3), log: () => {} });
      const t0 = clock.now();
      let n = 0;
      const { share } = drive(opt, clock, {
        producers: 4,
        from: t0,
        to: t0 + 10 * MIN,
        model: (target) => {
          if (withVerdicts) for (let i = 0; i < 4; i++) opt.observeProposerVerdict(target, target === STRONG || ++n % 10 === 0);
          return cheapInventor(target);
        },
      });
      return share(STRONG, t0 + 3 * MIN, t0 + 10 * MIN);
    };
    expect(run(false)).toBeLessThan(0.3);
    expect(run(true)).toBeGreaterThan(0.7);
  });

  it("under adaptive, without verification, counts the new entries of answers that repeat their prompt's list at their trust", () => {
    // sim-weak's answers bring half as many new names at a quarter of the price, but most of the rest of each is entries its prompt listed: it ran out.
    const runOut =
      (shown: number) =>
      (target: string): Model =>
        target === STRONG
          ? { itemsNew: 20, latencyMs: 4_000, costUsd: 0.002, itemsShown: 2 }
          : { itemsNew: 10, latencyMs: 4_000, costUsd: 0.0005, itemsShown: shown };
    const run = (shown: number) => {
      const clock = fakeClock();
      const opt = new Optimizer(config(), { clock: clock.now, rng: seededRng(3), log: () => {} });
      const t0 = clock.now();
      return drive(opt, clock, { producers: 4, from: t0, to: t0 + 10 * MIN, model: runOut(shown) }).share(STRONG, t0 + 3 * MIN, t0 + 10 * MIN);
    };
    expect(run(0)).toBeLessThan(0.5);
    expect(run(28)).toBeGreaterThan(0.7);
  });

  it("under roundrobin, shares calls evenly whatever the yield", () => {
    const clock = fakeClock();
    const opt = new Optimizer(config({ strategy: "roundrobin" }), { clock: clock.now, log: () => {} });
    const t0 = clock.now();
    const { share, ticks } = drive(opt, clock, { producers: 4, from: t0, to: t0 + 5 * MIN, model: strongWeak });
    expect(share(STRONG, t0, t0 + 5 * MIN)).toBeCloseTo(0.5, 2);
    expect(ticks.flatMap((t) => t.events)).toEqual([]);
  });

  it("keeps a producer's target for the whole call and picks anew once the call is reported", () => {
    const clock = fakeClock();
    const opt = new Optimizer(config({ strategy: "roundrobin" }), { clock: clock.now, log: () => {} });
    const first = opt.targetFor("p1");
    expect(opt.targetFor("p2")).not.toEqual(first);
    // Every sync and submit answer asks again: same call, same target.
    for (let i = 0; i < 5; i++) expect(opt.targetFor("p1")).toEqual(first);
    opt.observeCall(callObservation("p1", record(first), { new: 3, dupExact: 0, dupNear: 0, junk: 0 }, 0.001, clock.now()));
    expect(opt.targetFor("p1")).not.toEqual(first);
  });

  it("logs a decision that changes the weights as an event and scores it a window later", async () => {
    const clock = fakeClock();
    const { persist, rows } = memoryPersist();
    const opt = new Optimizer(config(), { clock: clock.now, rng: seededRng(5), log: () => {}, persist });
    const t0 = clock.now();
    const { ticks } = drive(opt, clock, { producers: 4, from: t0, to: t0 + 3 * MIN, model: strongWeak });
    await flush();
    const events = ticks.flatMap((t) => t.events);
    const scores = ticks.flatMap((t) => t.scores);
    expect(events.length).toBeGreaterThan(0);
    const first = events[0]!;
    expect(first.kind).toBe("routing.update");
    expect(first.message).toMatch(/sim:sim-strong is best/);
    expect(first.data).toMatchObject({ strategy: "adaptive", oldWeights: { [STRONG]: 0.5, [WEAK]: 0.5 } });
    expect((first.data.newWeights as Record<string, number>)[STRONG]).toBeGreaterThan(0.5);
    expect(first.data.inputs).toHaveProperty(["posterior", STRONG, "pBest"]);
    // Scored 60 s after it was made, not before.
    const firstScore = scores.find((s) => s.decisionId === first.decisionId)!;
    expect(firstScore).toBeDefined();
    const scoredAt = ticks.findIndex((t) => t.scores.some((s) => s.decisionId === first.decisionId));
    expect(scoredAt * 1_000).toBeGreaterThanOrEqual(first.at - t0 + 60_000);
    expect(firstScore.sufficient).toBe(true);
    // Scored against the old weights over the same window (scoreAgainstCounterfactual).
    expect(firstScore.metric).toBe("counterfactual sqrt(uniquePerCallMinute·uniquePerDollar)");
    // Moving traffic to the 5x stronger target raised the run's yield.
    expect(firstScore.improved).toBe(true);
    const row = rows.get(1n)!;
    expect(row.kind).toBe("routing.update");
    expect(row.score).toBeCloseTo(firstScore.score, 6);
    expect(row.scored).toMatchObject({ strategy: "adaptive", outcome: { improved: true, windowMs: 60_000, before: { calls: expect.any(Number) } } });
    expect(rows.size).toBe(events.length);
    expect(opt.snapshot(clock.now()).effectiveness).toMatchObject({ decisions: events.length, improved: expect.any(Number) });
    expect(opt.snapshot(clock.now()).effectiveness.scored).toBeGreaterThan(0);
  });

  it("logs persistence failures and keeps going", async () => {
    const clock = fakeClock();
    const logs: string[] = [];
    const persist: OptimizerPersist = {
      addEvent: async () => {
        throw new Error("db down");
      },
      scoreEvent: async () => {},
    };
    const opt = new Optimizer(config(), { clock: clock.now, rng: seededRng(5), log: (_l, m) => logs.push(m), persist });
    const t0 = clock.now();
    const { ticks } = drive(opt, clock, { producers: 4, from: t0, to: t0 + 2 * MIN, model: strongWeak });
    await flush();
    expect(ticks.flatMap((t) => t.events).length).toBeGreaterThan(0);
    expect(logs.some((m) => m.includes("db down"))).toBe(true);
  });

  it("stops when the estimated coverage reaches stop.coveragePercent, not before", () => {
    const clock = fakeClock();
    const opt = new Optimizer(config({ stop: { coveragePercent: 90 } }), { clock: clock.now, log: () => {}, options: { coverageEveryMs: 5_000 } });
    for (let i = 0; i < 200; i++) opt.observeCandidate("unique");
    clock.set(clock.now() + 5_000);
    // 200 entries each seen once: the topic looks far from exhausted.
    expect(opt.tick().stopReason).toBeUndefined();
    expect(opt.snapshot().coverage!.coverage).toBeLessThan(0.5);
    // Every entry proposed again, and again: nothing new is left.
    for (let i = 0; i < 200; i++) opt.observeCandidate("dupExact", 1);
    for (let i = 0; i < 200; i++) opt.observeCandidate(i % 2 ? "dupNear" : "dupExact", 2);
    clock.set(clock.now() + 5_000);
    const r = opt.tick();
    expect(r.stopReason).toMatch(/coverage \d+% reached the 90% target/);
    expect(opt.snapshot().coverage).toMatchObject({ observed: 200 });
    clock.set(clock.now() + 5_000);
    // Reported once: the orchestrator stops the run once.
    expect(opt.tick().stopReason).toBeUndefined();
  });

  it("ignores a few early repeats for the coverage stop", () => {
    const clock = fakeClock();
    const opt = new Optimizer(config({ stop: { coveragePercent: 50 } }), { clock: clock.now, log: () => {} });
    for (let i = 0; i < 10; i++) opt.observeCandidate("unique");
    for (let i = 0; i < 10; i++) opt.observeCandidate("dupExact", 1);
    clock.set(clock.now() + 5_000);
    expect(opt.tick().stopReason).toBeUndefined();
  });

  it("rebuilds the coverage counts from a resumed run's proposal counts", () => {
    const clock = fakeClock();
    const opt = new Optimizer(config(), { clock: clock.now, log: () => {} });
    opt.seed([1, 2, 3, 1]);
    opt.observeCandidate("dupExact", 3);
    clock.set(clock.now() + 5_000);
    opt.tick();
    expect(opt.coverageEstimate()).toMatchObject({ observed: 4, samples: 8 });
  });

  it("stops when the yield stays below the threshold for the window, but not while calls fail", () => {
    const clock = fakeClock();
    const opts = { lowYield: { minUniquePerMinute: 1, windowMs: 5 * MIN } };
    const exhausted = new Optimizer(config(), { clock: clock.now, log: () => {}, options: opts });
    const t0 = clock.now();
    const dry = drive(exhausted, clock, { producers: 2, from: t0, to: t0 + 8 * MIN, model: () => ({ itemsNew: 0, latencyMs: 5_000, costUsd: 0.001 }) });
    const stops = dry.ticks.map((t, i) => ({ i, reason: t.stopReason })).filter((t) => t.reason);
    expect(stops).toHaveLength(1);
    expect(stops[0]!.reason).toMatch(/yield stayed below 1 new entries\/min for 5 min/);
    expect(stops[0]!.i * 1_000).toBeGreaterThanOrEqual(5 * MIN);

    clock.set(t0);
    const failing = new Optimizer(config(), { clock: clock.now, log: () => {}, options: opts });
    const down = drive(failing, clock, {
      producers: 2,
      from: t0,
      to: t0 + 8 * MIN,
      model: () => ({ itemsNew: 0, latencyMs: 500, costUsd: 0, error: "server" }),
    });
    expect(down.ticks.some((t) => t.stopReason)).toBe(false);
  });

  it("judges low yield by the entries accepted in the last minute, the count the live figures show", () => {
    const clock = fakeClock();
    const opt = new Optimizer(config(), { clock: clock.now, log: () => {}, options: { lowYield: { minUniquePerMinute: 2, windowMs: 2 * MIN } } });
    const t0 = clock.now();
    const stops: number[] = [];
    for (let s = 1; s <= 10 * 60; s++) {
      const now = t0 + s * 1_000;
      clock.set(now);
      // A successful call every 10 s throughout; each brings one accepted entry for the first 5 minutes only.
      const fresh = s <= 300 ? 1 : 0;
      if (s % 10 === 0) {
        for (let i = 0; i < fresh; i++) opt.observeCandidate("unique", undefined, now);
        opt.observeCall(callObservation("p1", record({ provider: "sim", model: "sim-strong" }), { new: fresh, dupExact: 3, dupNear: 0, junk: 0 }, 0.001, now));
      }
      if (opt.tick(now).stopReason) stops.push(s);
    }
    // 6 a minute keeps it going; after minute 5 the last-minute count drains to 0 within a minute, then 2 minutes low.
    expect(stops).toHaveLength(1);
    expect(stops[0]!).toBeGreaterThanOrEqual(300 + 120);
    expect(stops[0]!).toBeLessThanOrEqual(300 + 60 + 120 + 5);
  });

  it("stops the run when every target is disabled by an auth error", () => {
    const clock = fakeClock();
    const opt = new Optimizer(config(), { clock: clock.now, log: () => {} });
    for (const [i, model] of ["sim-strong", "sim-weak"].entries()) {
      const call = { ...record({ provider: "sim", model }), error: { kind: "auth" as const, message: "bad key" } };
      opt.observeCall(callObservation(`p${i + 1}`, call, { new: 0, dupExact: 0, dupNear: 0, junk: 0 }, 0, clock.now()));
    }
    expect(opt.targetFor("p1")).toEqual({ provider: "sim", model: "sim-strong" });
    clock.set(clock.now() + 5_000);
    expect(opt.tick().stopReason).toMatch(/no usable target/);
  });

  it("gives a compact, JSON-safe snapshot", () => {
    const clock = fakeClock();
    const opt = new Optimizer(
      config({
        strategy: "weighted",
        providers: [
          { provider: "sim", model: "sim-strong", weight: 3 },
          { provider: "sim", model: "sim-weak", weight: 1 },
        ],
      }),
      {
        clock: clock.now,
        log: () => {},
      },
    );
    for (let i = 0; i < 30; i++) opt.observeCandidate("unique");
    const t0 = clock.now();
    drive(opt, clock, { producers: 4, from: t0, to: t0 + 2 * MIN, model: strongWeak });
    const snap = opt.snapshot(t0 + 2 * MIN);
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
    expect(snap).toMatchObject({ strategy: "weighted", weights: { [STRONG]: 0.75, [WEAK]: 0.25 }, coverage: { observed: 30 } });
    expect(snap.shares[STRONG]).toBeCloseTo(0.75, 1);
    expect(Object.keys(snap.stats[STRONG]!).sort()).toEqual([
      "calls",
      "duplicateRate",
      "errorRate",
      "latencyMs",
      "uniquePer1kTokens",
      "uniquePerDollar",
      "uniquePerMinute",
    ]);
    expect(JSON.stringify(snap).length).toBeLessThan(1_500);
  });
});

function record(target: { provider: string; model: string }) {
  return {
    callId: "c1",
    provider: target.provider,
    model: target.model,
    startedAt: 0,
    latencyMs: 1_000,
    promptTokens: 500,
    completionTokens: 200,
    itemsParsed: 3,
  };
}

/** Lets the persistence promises settle. */
async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}
