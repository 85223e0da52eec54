import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ChannelError, createTrpcChannel } from "./channel";
import { systemClock } from "./clock";
import { MemoryOrchestrator } from "../../../test/helpers/memory-orchestrator";
import { Outbox } from "./outbox";
import { serveOrchestrator } from "../../../test/helpers/orchestrator-server";
import { leftOnSignal } from "../../../test/helpers/signals";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function memoryOrchestrator() {
  return new MemoryOrchestrator({ topic: "Lakes", target: { provider: "sim", model: "sim-strong" }, requestSize: 10, promptBudgetTokens: 1000 });
}

async function setup(secret = "s3cret") {
  const orch = memoryOrchestrator();
  const server = await serveOrchestrator(orch, "s3cret");
  cleanups.push(server.close);
  const channel = createTrpcChannel({ url: server.url, secret, runId: "run1", producer: "p1", requestTimeoutMs: 2000 });
  return { orch, server, channel };
}

async function rejection(p: Promise<unknown>): Promise<ChannelError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ChannelError);
  return err as ChannelError;
}

describe("tRPC channel", () => {
  it("speaks producer.hello/sync/submit/report with the run secret", async () => {
    const { orch, channel } = await setup();
    orch.preload(["Lake Geneva"]);
    const hello = await channel.hello();
    expect(hello.keepGoing).toBe(true);
    expect(hello.assignment.topic).toBe("Lakes");
    expect(hello.delta).toEqual({ entries: [{ seq: 1, text: "Lake Geneva" }], nextSeq: 1, more: false });
    const submitted = await channel.submit({ batchId: "b1", callId: "c1", candidates: ["Lake Como", "lake geneva"], sinceSeq: 1 });
    expect(submitted).toMatchObject({ accepted: 1, duplicates: 1, replay: false, delta: { entries: [{ seq: 2, text: "Lake Como" }] } });
    expect((await channel.submit({ batchId: "b1", callId: "c1", candidates: ["Lake Como", "lake geneva"], sinceSeq: 2 })).replay).toBe(true);
    expect((await channel.sync(0)).delta.nextSeq).toBe(2);
    await channel.report("fatal", "no OPENAI_API_KEY set");
    expect(orch.reports).toEqual([{ producer: "p1", level: "fatal", message: "no OPENAI_API_KEY set" }]);
  });

  it("leaves nothing on the caller's long-lived signal, request after request", async () => {
    const { channel } = await setup();
    const stop = new AbortController();
    for (let i = 0; i < 50; i++) await channel.submit({ batchId: `b${i}`, callId: "c1", candidates: [`Lake ${i}`], sinceSeq: 0 }, stop.signal);
    expect(leftOnSignal(stop.signal)).toEqual({ listeners: 0, dependants: 0 });
  });

  it("a wrong secret is an error with its status, retryable", async () => {
    const { channel } = await setup("wrong");
    const err = await rejection(channel.hello());
    expect(err.status).toBe(401);
    expect(err.retryable).toBe(true);
  });

  it("a request the orchestrator rejects as invalid is not retryable", async () => {
    const { channel } = await setup();
    const err = await rejection(channel.submit({ batchId: "b1", candidates: ["x".repeat(301)], sinceSeq: 0 }));
    expect(err.status).toBe(400);
    expect(err.retryable).toBe(false);
  });

  it("an unreachable orchestrator is retryable", async () => {
    const channel = createTrpcChannel({ url: "http://127.0.0.1:1/api/trpc", secret: "s", runId: "r", producer: "p1" });
    const err = await rejection(channel.hello());
    expect(err.retryable).toBe(true);
  });

  it("an orchestrator that does not answer times out, retryable", async () => {
    const { createServer } = await import("node:http");
    const hung = createServer(() => {});
    await new Promise<void>((r) => hung.listen(0, "127.0.0.1", r));
    cleanups.push(
      () =>
        new Promise<void>((r) => {
          hung.closeAllConnections();
          hung.close(() => r());
        }),
    );
    const port = (hung.address() as AddressInfo).port;
    const channel = createTrpcChannel({ url: `http://127.0.0.1:${port}/api/trpc`, secret: "s", runId: "r", producer: "p1", requestTimeoutMs: 300 });
    const err = await rejection(channel.hello());
    expect(err.retryable).toBe(true);
  });

  it("the outbox delivers across an orchestrator restart, same batchId, applied once", async () => {
    const orch = memoryOrchestrator();
    let server = await serveOrchestrator(orch, "s3cret");
    const port = server.port;
    const channel = createTrpcChannel({ url: server.url, secret: "s3cret", runId: "run1", producer: "p1", requestTimeoutMs: 1000 });
    await server.close();

    const sent: string[] = [];
    let acknowledged = 0;
    const outbox = new Outbox({
      channel: {
        ...channel,
        submit: (b, s) => {
          sent.push(b.batchId);
          return channel.submit(b, s);
        },
      },
      clock: systemClock,
      cursor: () => 0,
      onResult: () => acknowledged++,
      onRejected: () => {
        throw new Error("not expected");
      },
      newBatchId: () => `batch-${sent.length}`,
      retry: { baseMs: 50, maxMs: 200 },
    });
    outbox.add("c1", ["Lake Bled", "Lake Ohrid"]);
    await new Promise((r) => setTimeout(r, 300)); // a few failed attempts while down
    server = await serveOrchestrator(orch, "s3cret", port);
    cleanups.push(server.close);
    await outbox.drained();
    expect(acknowledged).toBe(1);
    expect(sent.length).toBeGreaterThan(1);
    expect(new Set(sent)).toEqual(new Set(["batch-0"]));
    expect(orch.entries.map((e) => e.text)).toEqual(["Lake Bled", "Lake Ohrid"]);
    outbox.close();
  });
});
