import { parseArgs } from "node:util";
import { errorMessage } from "../../lib/errors";
import { parseSimParamsJson } from "../../lib/sim/params";
import { startSimulator } from "./index";
import { readRealLists } from "./real-lists";

/**
 * Standalone simulator: `tsx src/server/simulator/main.ts --port 8089 [--host 127.0.0.1] [--params '{"latencyScale":0}']`.
 * IGENTAI_SIM_PARAMS (JSON) sets parameters too; --params wins over it. IGENTAI_SIM_REAL_LISTS
 * serves real name lists as their topics' universes (real-lists.ts). Prints the URL on stdout.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "8089" },
      host: { type: "string", default: "127.0.0.1" },
      params: { type: "string" },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0..65535, got "${values.port}"`);
  // The one place the simulator reads the environment: this entry point is its own process.
  const envParams = process.env.IGENTAI_SIM_PARAMS?.trim();
  const params = {
    ...(envParams ? parseSimParamsJson(envParams, "IGENTAI_SIM_PARAMS") : {}),
    ...(values.params ? parseSimParamsJson(values.params, "--params") : {}),
  };
  const sim = await startSimulator({ port, host: values.host, params, realUniverses: readRealLists(process.env.IGENTAI_SIM_REAL_LISTS) });
  process.stdout.write(`${sim.url}\n`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`[simulator] second ${signal}, exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    sim.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`[simulator] close failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`[simulator] ${errorMessage(err)}\n`);
  process.exit(1);
});
