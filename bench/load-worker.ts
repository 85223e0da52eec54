/**
 * A synthetic producer for bench/pipeline.ts: submits batches over the real tRPC API as
 * fast as allowed (or at a target rate) and measures, per batch, the time from the start
 * of the submit to the moment `metrics.live` shows the batch's entries as committed.
 * Run as a separate process so the load does not share the server's event loop.
 */
import { EventSource } from "eventsource";
import { createTRPCClient, httpLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import { errorMessage } from "../src/lib/errors";
import type { AppRouter } from "../src/server/api/root";
import { INT4_MAX } from "../src/lib/validation";

type Args = {
  url: string;
  runId: string;
  secret: string;
  producer: string;
  seconds: number;
  ratePerSec: number;
  batch: number;
  inflight: number;
  universe: number;
  seed: number;
};
const args = JSON.parse(process.argv[2] ?? "{}") as Args;

let state = args.seed >>> 0 || 1;
const rand = () => (state = (Math.imul(state ^ (state >>> 15), 2246822519) + 0x6d2b79f5) >>> 0) / 2 ** 32;
const SYL = ["ka", "lo", "mi", "ren", "sa", "tor", "vel", "an", "ber", "cor", "di", "el", "fa", "gor", "hi", "jun"];
function name(i: number): string {
  let s = "";
  let x = i + 7;
  for (let k = 0; k < 3; k++) {
    s += SYL[x % SYL.length];
    x = Math.floor(x / SYL.length) + k * 31;
  }
  return `${s[0]!.toUpperCase()}${s.slice(1)} ${SYL[i % 13]}${i.toString(36)}`;
}
// Zipf-like: popular names come back often, so the server sees new entries and duplicates.
const pick = () => name(Math.floor(args.universe * rand() ** 2.2));

const api = `${args.url}`;
const client = createTRPCClient<AppRouter>({
  links: [
    splitLink({
      condition: (op) => op.type === "subscription",
      true: httpSubscriptionLink({ url: api, EventSource }),
      false: httpLink({ url: api, headers: { "x-igentai-secret": args.secret } }),
    }),
  ],
});

const waiting: Array<{ seq: number; t0: number }> = [];
const latencies: number[] = [];
let visibleSeq = 0;
const sub = client.metrics.live.subscribe(
  { minIntervalMs: 20 },
  {
    onData: ({ data }) => {
      visibleSeq = data.lastSeq;
      const now = performance.now();
      for (let i = waiting.length - 1; i >= 0; i--) {
        if (waiting[i]!.seq <= visibleSeq) {
          latencies.push(now - waiting[i]!.t0);
          waiting.splice(i, 1);
        }
      }
    },
  },
);

let sent = 0;
let accepted = 0;
let batches = 0;
let errors = 0;
const end = Date.now() + args.seconds * 1000;
const interval = args.ratePerSec > 0 ? (args.batch / args.ratePerSec) * 1000 : 0;

async function lane(laneNo: number): Promise<void> {
  let next = performance.now() + laneNo * (interval / args.inflight);
  while (Date.now() < end) {
    if (interval > 0) {
      const wait = next - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      next += interval * args.inflight;
    }
    const candidates = Array.from({ length: args.batch }, pick);
    const t0 = performance.now();
    try {
      const r = await client.producer.submit.mutate({
        runId: args.runId,
        producer: args.producer,
        batchId: `${args.producer}-${laneNo}-${batches++}`,
        candidates,
        sinceSeq: INT4_MAX,
      }); // no delta wanted: the highest seq the protocol takes
      sent += candidates.length;
      accepted += r.accepted;
      if (r.accepted > 0) waiting.push({ seq: r.delta.nextSeq, t0 });
    } catch (err) {
      if (errors++ === 0) console.error(`load worker ${args.producer}: ${errorMessage(err)}`);
    }
  }
}

void (async () => {
  const t = performance.now();
  await Promise.all(Array.from({ length: args.inflight }, (_, i) => lane(i)));
  const seconds = (performance.now() - t) / 1000;
  await new Promise((r) => setTimeout(r, 500));
  sub.unsubscribe();
  process.send?.({ sent, accepted, errors, seconds, latencies, unresolved: waiting.length });
  process.exit(0);
})();
