import { describe, expect, it } from "vitest";
import { stopReason } from "./stop-rules";

describe("stop rules", () => {
  const running = { totalUnique: 10, costUsd: 0.5, elapsedMs: 60_000 };
  it.each([
    [{ maxEntries: 10 }, "reached 10 entries"],
    [{ maxCostUsd: 0.5 }, "reached the $0.5 budget"],
    [{ maxMinutes: 1 }, "ran 1 minute(s)"],
  ])("stops at the user's limit %j", (limits, reason) => {
    expect(stopReason(limits, running)).toBe(reason);
  });

  it("keeps going below every limit and without an optimiser verdict", () => {
    expect(stopReason({ maxEntries: 11, maxCostUsd: 1, maxMinutes: 2 }, running)).toBeNull();
  });

  it("gives the user's limit precedence over the optimiser's verdict", () => {
    expect(stopReason({ maxEntries: 5 }, { ...running, optimizerVerdict: "coverage reached" })).toBe("reached 5 entries");
    expect(stopReason({}, { ...running, optimizerVerdict: "coverage reached" })).toBe("coverage reached");
  });
});
