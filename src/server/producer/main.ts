/**
 * A producer process, as pm2 runs it: `node --import tsx src/server/producer/main.ts`.
 * Binds the environment and signals, then hands over to a Producer. Exits 0 whenever it
 * stops on purpose (signal, run ended), including "no API key": a failing exit would make
 * pm2 restart it in a loop.
 */
import { PRODUCER_EXIT } from "../../lib/protocol";
import { createTrpcChannel } from "./channel";
import { systemClock } from "./clock";
import { createRedactor, parseProducerEnv, ProducerEnvError, secretsOf } from "./env";
import { createLlmResolver } from "./llm/factory";
import { Producer } from "./producer";

const ORPHAN_CHECK_MS = 2_000;

/**
 * With --expose-gc (PRODUCER_NODE_FLAGS): a full garbage collection after a call, at most
 * every 2 s. V8 lets the heap grow well past its live size (~12 MB) before collecting; between
 * calls almost everything a call allocated is garbage, so collecting there keeps the heap near
 * its live size for a few ms of CPU (bench:producer-rss, README "Lean processes").
 */
function collectAfterCalls(): (() => void) | undefined {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return undefined;
  let last = 0;
  return () => {
    const now = Date.now();
    if (now - last < 2_000) return;
    last = now;
    gc();
  };
}

function main(): void {
  let env;
  try {
    env = parseProducerEnv(process.env);
  } catch (err) {
    if (!(err instanceof ProducerEnvError)) throw err;
    console.error(err.message);
    process.exit(PRODUCER_EXIT.BAD_CONFIG); // EX_CONFIG: a deployment error, not something a restart fixes
  }
  const redact = createRedactor(secretsOf(env));
  const prefix = `[producer ${env.IGENTAI_PRODUCER}]`;
  const log = (line: string) => console.log(`${prefix} ${line}`);

  const producer = new Producer({
    channel: createTrpcChannel({
      url: env.IGENTAI_API_URL,
      secret: env.IGENTAI_RUN_SECRET,
      runId: env.IGENTAI_RUN_ID,
      producer: env.IGENTAI_PRODUCER,
      pid: process.pid,
    }),
    llmFor: createLlmResolver({
      providers: env.providers,
      simulatorUrl: env.IGENTAI_SIMULATOR_URL,
      callTimeoutMs: env.IGENTAI_CALL_TIMEOUT_MS,
    }),
    clock: systemClock,
    log,
    redact,
    afterCall: collectAfterCalls(),
  });

  // First SIGINT/SIGTERM: abort the call in flight, flush what is unacknowledged, exit 0.
  // Second: exit now.
  let stopping = false;
  const stop = (why: string) => {
    stopping = true;
    log(`${why}: stopping`);
    producer.close();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log(`${signal} again: exiting now`);
      process.exit(130);
    }
    stop(signal);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  // Our parent is pm2. If it is gone without taking us down (a restart under way when the
  // daemon was killed: seen once after a soak), nothing would ever stop this process: stop as
  // on SIGTERM (flush to the orchestrator if it is still there, exit 0).
  const parent = process.ppid;
  const orphanCheck = setInterval(() => {
    if (process.ppid === parent || stopping) return;
    clearInterval(orphanCheck);
    stop(`parent process ${parent} is gone`);
  }, ORPHAN_CHECK_MS);
  orphanCheck.unref();

  producer.run().then(
    (summary) => {
      log(`exit (${summary.exit}): ${summary.calls} calls, ${summary.failedCalls} failed, ${summary.itemsParsed} items`);
      // Signalled: 0 (pm2 is stopping us anyway). Run over: a code pm2 will not restart.
      process.exit(summary.exit === "run-ended" ? PRODUCER_EXIT.RUN_ENDED : 0);
    },
    (err: unknown) => {
      console.error(`${prefix} crashed: ${redact(err instanceof Error ? (err.stack ?? err.message) : String(err))}`);
      process.exit(1);
    },
  );
}

main();
