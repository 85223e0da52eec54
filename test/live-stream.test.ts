import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SSE_PING_MS, SSE_RECONNECT_AFTER_INACTIVITY_MS } from "../src/server/api/trpc";
import { startHarness, type Harness } from "./helpers/harness";

type SseEvent = { event: string; id: string | null; data: string };

/** Reads a server-sent event stream for `ms`, then stops (the server sees the client go). */
async function readEvents(url: string, ms: number, headers: Record<string, string> = {}): Promise<SseEvent[]> {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { accept: "text/event-stream", ...headers }, signal: abort.signal });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const timer = setTimeout(() => abort.abort(), ms);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch (err) {
    if (!abort.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
  }
  return text
    .split("\n\n")
    .filter((block) => block.trim().length > 0)
    .map((block) => {
      const field = (name: string) =>
        block
          .split("\n")
          .filter((l) => l.startsWith(`${name}:`))
          .map((l) => l.slice(name.length + 1).trimStart());
      return { event: field("event")[0] ?? "message", id: field("id")[0] ?? null, data: field("data").join("\n") };
    });
}

/**
 * The live stream as tRPC's own examples send it: tracked events (each with an id), tRPC's
 * ping while nothing changes and its reconnect setting sent to the client; no heartbeat of ours.
 */
describe("metrics.live over SSE", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ db: { dataDir: "memory://" } });
  }, 120_000);
  afterAll(async () => h?.close());

  const url = (input: object) => `${h.apiUrl}/metrics.live?input=${encodeURIComponent(JSON.stringify(input))}`;

  it("sends tracked snapshots, then only tRPC's pings while the server is idle", async () => {
    const events = await readEvents(url({ minIntervalMs: 20 }), SSE_PING_MS * 2 + 1_500);
    const connected = events.find((e) => e.event === "connected");
    expect(JSON.parse(connected!.data)).toMatchObject({ reconnectAfterInactivityMs: SSE_RECONNECT_AFTER_INACTIVITY_MS });
    const snapshots = events.filter((e) => e.event === "message");
    // Idle: the one snapshot of the subscription's start; the ticker wakes no idle subscriber.
    expect(snapshots).toHaveLength(1);
    expect(snapshots[0]!.id).toMatch(/^\d+$/);
    expect(JSON.parse(snapshots[0]!.data)).toMatchObject({ state: "idle", run: null });
    expect(events.filter((e) => e.event === "ping").length).toBeGreaterThanOrEqual(1);
  });

  it("resumes from lastEventId with the current snapshot, its id after the last one", async () => {
    const last = String(Date.now() + 60_000);
    const events = await readEvents(url({ lastEventId: last }), 1_000);
    const snapshots = events.filter((e) => e.event === "message");
    expect(snapshots).toHaveLength(1);
    expect(Number(snapshots[0]!.id)).toBeGreaterThan(Number(last));
  });
});
