import { describe, expect, it } from "vitest";
import { dataLockedMessage, lockIsHeld, parseDataLock, processStartFromStat } from "./data-lock";

const lock = { pid: 4242, port: 8080, startedAt: "2026-12-07T08:00:00.000Z", processStart: "1234" };

describe("the data folder's lock", () => {
  it.each([
    ["the pid is gone", { alive: false, processStart: null }, false],
    ["the same process runs", { alive: true, processStart: "1234" }, true],
    ["the pid was reused by another process (restarted container)", { alive: true, processStart: "9999" }, false],
    ["the OS does not tell start times", { alive: true, processStart: null }, true],
  ])("is held or stale when %s", (_, probe, held) => {
    expect(lockIsHeld(lock, probe)).toBe(held);
    expect(lockIsHeld({ ...lock, processStart: null }, probe)).toBe(probe.alive);
  });

  it.each([
    ["", undefined],
    ["{", undefined],
    ['{"pid":"x"}', undefined],
    [JSON.stringify(lock), lock],
  ])("reads %j as a lock or as stale", (text, parsed) => {
    expect(parseDataLock(text)).toEqual(parsed);
  });

  it("reads a process's start time even when its name holds spaces and parentheses", () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    expect(processStartFromStat(`77 (next-server (v16) x) ${fields.join(" ")}`)).toBe("22");
    expect(processStartFromStat("garbage")).toBeNull();
  });

  it("names the running server, its port, and the way out", () => {
    const message = dataLockedMessage(lock, "/srv/igentai/data");
    expect(message).toContain("/srv/igentai/data");
    expect(message).toContain("pid 4242, port 8080");
    expect(message).toContain("IGENTAI_DATA_DIR");
  });
});
