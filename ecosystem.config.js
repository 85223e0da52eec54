// pm2 process file: the web app (Next in production mode, fork mode, one instance).
// The orchestrator inside it starts the producers through pm2's API, so they run under
// the same pm2 (daemon or pm2-runtime) as siblings of the app.
//   npm run build && pm2 start ecosystem.config.js     (daemon)
//   npm start                                         (pm2-runtime in the foreground)
const path = require("node:path");

// A young generation of 4 MB semi-spaces instead of 16 MB: the server's garbage is short-lived
// (requests, answers, snapshots), so a smaller nursery costs no throughput (bench, pipeline:
// 12,979 candidates/s with it, 11,262 without, one sequence) and ~36 MB less heap.
// --optimize-for-size saved more memory but cost 30-40 % of the throughput (bench:soak and
// bench results in the README, "Lean processes"). bench/soak.ts runs these same flags.
const SERVER_NODE_FLAGS = ["--max-semi-space-size=4"];

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
      exp_backoff_restart_delay: 200,
      // Time for the orchestrator to flush acknowledged entries before SIGKILL.
      kill_timeout: 10000,
      env: {
        NODE_ENV: "production",
        // Our shutdown (src/server/instance.ts) runs to the end instead of Next exiting first.
        NEXT_MANUAL_SIG_HANDLE: "true",
        PORT: process.env.PORT || "8080",
      },
    },
  ],
};
