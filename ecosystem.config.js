// pm2 process file: the web app (Next in production mode, fork mode, one instance).
// The orchestrator inside it starts the producers through pm2's API, so they run under
// the same pm2 (daemon or pm2-runtime) as siblings of the app.
//   npm run build && pm2 start ecosystem.config.js     (daemon)
//   npm start                                         (pm2-runtime in the foreground)
const path = require("node:path");

// V8 tuned for size: 2 MB semi-spaces instead of 16 MB, and a heap that grows less eagerly.
// Through a 4-minute soak (5 producers, ~17,000 entries) the server stayed at 297-322 MB RSS
// with these flags and rose 377 -> 444 MB without; the cost is peak ingest: the pipeline
// bench's capacity is ~30 % lower (9,135 vs 12,964 candidates/s in one sequence), far above
// what LLMs deliver (a few hundred a second). IGENTAI_SERVER_NODE_ARGS="" (or other flags)
// overrides them. bench/soak.ts runs the same flags. Figures: README, "Lean processes".
const SERVER_NODE_FLAGS = serverNodeFlags(process.env.IGENTAI_SERVER_NODE_ARGS);

function serverNodeFlags(value) {
  if (value === undefined) return ["--max-semi-space-size=2", "--optimize-for-size"];
  const flags = value.split(/\s+/).filter(Boolean);
  const bad = flags.find((f) => !/^--[a-z0-9-]+(=[\w.:-]+)?$/i.test(f));
  if (bad) throw new Error(`IGENTAI_SERVER_NODE_ARGS: "${bad}" is not a node flag (--name or --name=value)`);
  return flags;
}

module.exports = {
  apps: [
    {
      name: "igentai-web",
      cwd: __dirname,
      script: path.join(__dirname, "node_modules", "next", "dist", "bin", "next"),
      // Loopback only by default: the API has no login and can spend your API keys.
      // HOSTNAME=0.0.0.0 exposes it (put it behind an authenticating proxy).
      args: ["start", "-p", process.env.PORT || "8080", "-H", process.env.HOSTNAME || "127.0.0.1"],
      node_args: SERVER_NODE_FLAGS,
      exec_mode: "fork",
      instances: 1,
      autorestart: true,
      // 78 (EXIT_NO_RESTART, src/lib/errors.ts): the server refused to start for a reason a
      // restart cannot fix (another server holds the data folder, the embedded database
      // cannot be opened) and said why; restarting it would only loop.
      stop_exit_codes: [78],
      exp_backoff_restart_delay: 200,
      // Time for the orchestrator to flush acknowledged entries before SIGKILL.
      kill_timeout: 10000,
      env: {
        NODE_ENV: "production",
        // glibc's malloc gives each thread that allocates an arena of its own (up to 8 per core)
        // and rarely returns their pages: in one soak four arenas held 138 MB of the server's
        // RSS. How much stays varies between runs (at minute 1: 325 and 370 MB without the cap,
        // 317 and 324 MB with it; README, "Lean processes"). Override with a number in
        // MALLOC_ARENA_MAX (glibc's default is 8 per core).
        MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX || "2",
        // Our shutdown (src/server/instance.ts) runs to the end instead of Next exiting first.
        NEXT_MANUAL_SIG_HANDLE: "true",
        PORT: process.env.PORT || "8080",
      },
    },
  ],
};
