import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { leftOnSignal } from "../../../test/helpers/signals";
import { linkedSignal } from "./abort";

describe("linkedSignal", () => {
  it("aborts when any source aborts, with its reason", () => {
    const a = new AbortController();
    const b = new AbortController();
    const { signal } = linkedSignal([a.signal, b.signal]);
    expect(signal.aborted).toBe(false);
    b.abort("stop");
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe("stop");
    expect(getEventListeners(a.signal, "abort")).toHaveLength(0);
  });

  it("is aborted at once when a source already is", () => {
    const a = new AbortController();
    a.abort("early");
    const live = new AbortController();
    const { signal } = linkedSignal([live.signal, a.signal]);
    expect(signal.reason).toBe("early");
    expect(getEventListeners(live.signal, "abort")).toHaveLength(0);
  });

  it("leaves nothing on a long-lived source once disposed, however many times it is linked", () => {
    const stop = new AbortController();
    for (let i = 0; i < 10_000; i++) {
      const per = new AbortController();
      linkedSignal([stop.signal, per.signal]).dispose();
    }
    expect(leftOnSignal(stop.signal)).toEqual({ listeners: 0, dependants: 0 });
    // What it replaces: AbortSignal.any leaves an entry per call (until a GC on newer Node).
    for (let i = 0; i < 100; i++) AbortSignal.any([stop.signal, new AbortController().signal]);
    expect(leftOnSignal(stop.signal).dependants).toBeGreaterThan(0);
  });
});
