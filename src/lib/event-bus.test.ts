import { describe, expect, it } from "vitest";
import { EventBus } from "./event-bus";

type Map = { added: { n: number }; cleared: undefined };

describe("the typed event bus", () => {
  it("delivers each event to the listeners of its kind, in the order they subscribed", () => {
    const bus = new EventBus<Map>(() => undefined);
    const seen: string[] = [];
    bus.on("added", (e) => seen.push(`first ${e.n}`));
    bus.on("added", (e) => seen.push(`second ${e.n}`));
    bus.on("cleared", () => seen.push("cleared"));
    bus.emit("added", { n: 1 });
    bus.emit("cleared", undefined);
    expect(seen).toEqual(["first 1", "second 1", "cleared"]);
  });

  it("stops delivering once unsubscribed, by the returned function or off()", () => {
    const bus = new EventBus<Map>(() => undefined);
    const seen: number[] = [];
    const fn = (e: { n: number }) => seen.push(e.n);
    const off = bus.on("added", fn);
    bus.emit("added", { n: 1 });
    off();
    bus.emit("added", { n: 2 });
    bus.on("added", fn);
    bus.off("added", fn);
    bus.emit("added", { n: 3 });
    expect(seen).toEqual([1]);
    expect(bus.listenerCount("added")).toBe(0);
  });

  it("reports a listener that throws and still runs the others", () => {
    const errors: string[] = [];
    const bus = new EventBus<Map>((err, kind) => errors.push(`${String(kind)}: ${(err as Error).message}`));
    const seen: number[] = [];
    bus.on("added", () => {
      throw new Error("broken subscriber");
    });
    bus.on("added", (e) => seen.push(e.n));
    expect(() => bus.emit("added", { n: 7 })).not.toThrow();
    expect(seen).toEqual([7]);
    expect(errors).toEqual(["added: broken subscriber"]);
  });

  it("lets a listener unsubscribe while the event is delivered, without skipping another", () => {
    const bus = new EventBus<Map>(() => undefined);
    const seen: string[] = [];
    const off = bus.on("cleared", () => {
      seen.push("once");
      off();
    });
    bus.on("cleared", () => seen.push("always"));
    bus.emit("cleared", undefined);
    bus.emit("cleared", undefined);
    expect(seen).toEqual(["once", "always", "always"]);
  });
});
