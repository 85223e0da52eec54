import { describe, expect, it } from "vitest";
import { connectionState, duplicateRate, healthLevel, llmRows, retryDelayMs, type TallyLike } from "./live-view";

describe("connection state", () => {
  it("is connecting until the stream first opens, then live while it is open", () => {
    expect(connectionState({ status: "connecting", everConnected: false })).toBe("connecting");
    expect(connectionState({ status: "idle", everConnected: false })).toBe("connecting");
    expect(connectionState({ status: "pending", everConnected: true })).toBe("live");
  });

  it("is reconnecting after any interruption once it has been live", () => {
    expect(connectionState({ status: "connecting", everConnected: true })).toBe("reconnecting");
    expect(connectionState({ status: "error", everConnected: true })).toBe("reconnecting");
  });

  it("is offline when the browser is offline", () => {
    expect(connectionState({ status: "pending", everConnected: true, online: false })).toBe("offline");
  });

  it("backs off retries up to 5 s", () => {
    expect([0, 1, 2, 3, 10].map(retryDelayMs)).toEqual([1000, 2000, 4000, 5000, 5000]);
  });
});

describe("producer health", () => {
  it.each([
    [{ status: "online", restarts: 0, unstableRestarts: 0, uptimeMs: 5_000 }, "ok"],
    [{ status: "online", restarts: 1, unstableRestarts: 0, uptimeMs: 600_000 }, "ok"],
    [{ status: "online", restarts: 1, unstableRestarts: 0, uptimeMs: 5_000 }, "warn"],
    [{ status: "launching", restarts: 0, unstableRestarts: 0, uptimeMs: null }, "warn"],
    [{ status: "waiting restart", restarts: 4, unstableRestarts: 0, uptimeMs: null }, "bad"],
    [{ status: "online", restarts: 2, unstableRestarts: 2, uptimeMs: 1_000 }, "bad"],
    [{ status: "errored", restarts: 16, unstableRestarts: 16, uptimeMs: null }, "bad"],
  ] as const)("%o is %s", (h, level) => expect(healthLevel(h)).toBe(level));

  it("is unknown without pm2 data", () => expect(healthLevel(null)).toBe("unknown"));
});

function tally(key: string, over: Partial<TallyLike> = {}): TallyLike {
  return {
    key,
    unique: 0,
    candidates: 0,
    dupExact: 0,
    dupNear: 0,
    calls: 0,
    failedCalls: 0,
    errors: {},
    promptTokens: 0,
    completionTokens: 0,
    costUsd: 0,
    uniqueLastMinute: 0,
    candidatesLastMinute: 0,
    avgLatencyMs: null,
    ...over,
  };
}

describe("per-LLM rows", () => {
  it("sums duplicates, errors and tokens, and picks out rate limits", () => {
    const [row] = llmRows([
      tally("sim:sim-strong", { candidates: 10, dupExact: 2, dupNear: 1, errors: { rate_limit: 3, server: 1 }, promptTokens: 70, completionTokens: 30 }),
    ]);
    expect(row).toMatchObject({ duplicates: 3, errors: 4, rateLimits: 3, tokens: 100, simulated: true, weight: null });
    expect(row!.dupRate).toBeCloseTo(0.3);
  });

  it("carries the calls in flight a producer or model reported, null when none was", () => {
    const rows = llmRows([{ ...tally("p1"), callsInFlight: 7 }, { ...tally("p2"), callsInFlight: 0 }, tally("p3")]);
    expect(rows.map((r) => r.callsInFlight)).toEqual([7, 0, null]);
  });

  it("gives each row its share of the last minute's traffic", () => {
    const rows = llmRows([tally("a", { candidatesLastMinute: 30 }), tally("b", { candidatesLastMinute: 10 })]);
    expect(rows.map((r) => r.share)).toEqual([0.75, 0.25]);
    expect(llmRows([tally("a")])[0]!.share).toBeNull();
  });

  it("shows a routing weight and a producer's target when the snapshot has them", () => {
    const [row] = llmRows([{ ...tally("p1"), target: "openai:gpt-4o-mini" }], { routing: { weights: { p1: 0.4 }, shares: {} } });
    expect(row).toMatchObject({ weight: 0.4, target: "openai:gpt-4o-mini", simulated: false });
  });

  it("takes the routing weight and routed share of a provider/model from the snapshot's routing", () => {
    const routing = { weights: { "sim:a": 0.7, "sim:b": 0.3 }, shares: { "sim:a": 0.64, "sim:b": 0.36 } };
    const rows = llmRows([tally("sim:a"), tally("sim:b"), tally("sim:c")], { routing });
    expect(rows.map((r) => [r.weight, r.routedShare])).toEqual([
      [0.7, 0.64],
      [0.3, 0.36],
      [null, null],
    ]);
    // Keys are looked up as data, not as properties of Object.prototype.
    expect(llmRows([tally("constructor")], { routing })[0]).toMatchObject({ weight: null, routedShare: null });
  });

  it("computes the overall duplicate rate", () => {
    expect(duplicateRate({ candidates: 0, dupExact: 0, dupNear: 0 })).toBeNull();
    expect(duplicateRate({ candidates: 4, dupExact: 1, dupNear: 1 })).toBe(0.5);
  });
});
