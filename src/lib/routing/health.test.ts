import { describe, expect, it } from "vitest";
import type { CallObservation } from "../stats/types";
import { TargetHealth } from "./health";

const call = (at: number, error?: CallObservation["error"], latencyMs = 100): CallObservation => ({
  at,
  producer: "p1",
  target: "a",
  promptTokens: 0,
  completionTokens: 0,
  costUsd: 0,
  latencyMs,
  itemsParsed: 0,
  itemsNew: 0,
  dupExact: 0,
  dupNear: 0,
  junk: 0,
  ...(error ? { error } : {}),
});

describe("TargetHealth", () => {
  it("doubles the delay per consecutive failure up to the cap", () => {
    const h = new TargetHealth({ backoffBaseMs: 1_000, backoffMaxMs: 10_000 });
    expect([0, 1, 2, 3, 4, 5, 9].map((n) => h.delayMs(n))).toEqual([0, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
  });

  it("keeps a target usable after one server error but skips it after skipAfter in a row", () => {
    const h = new TargetHealth({ backoffBaseMs: 1_000, skipAfter: 2 });
    h.observe(call(1_000, "server"));
    expect(h.isAvailable("a", 1_001)).toBe(true);
    h.observe(call(2_000, "timeout"));
    expect(h.isAvailable("a", 2_001)).toBe(false);
    expect(h.status("a")).toMatchObject({ failures: 2, readyAt: 4_000 });
    expect(h.isAvailable("a", 4_000)).toBe(true);
  });

  it("skips a rate-limited target at once", () => {
    const h = new TargetHealth({ backoffBaseMs: 1_000 });
    h.observe(call(1_000, "rate_limit"));
    expect(h.isAvailable("a", 1_500)).toBe(false);
    expect(h.isAvailable("a", 2_000)).toBe(true);
  });

  it("forgets failures after a success", () => {
    const h = new TargetHealth();
    h.observe(call(1_000, "server"));
    h.observe(call(2_000, "server"));
    h.observe(call(3_000));
    expect(h.status("a")).toMatchObject({ failures: 0, readyAt: 0 });
  });

  it("disables a target for the run on auth and missing-key errors, even after a later success", () => {
    const h = new TargetHealth();
    h.observe(call(1_000, "auth"));
    h.observe(call(2_000));
    expect(h.isDisabled("a")).toBe(true);
    expect(h.isAvailable("a", 1e12)).toBe(false);
  });

  it("does not escalate for failed calls that started before the last failure was known", () => {
    const h = new TargetHealth({ backoffBaseMs: 1_000 });
    h.observe(call(10_000, "server", 4_000));
    h.observe(call(10_100, "server", 4_000)); // started at 6.1 s, before 10 s
    expect(h.status("a").failures).toBe(1);
    h.observe(call(12_000, "server", 1_000)); // started at 11 s, after
    expect(h.status("a").failures).toBe(2);
  });
});
