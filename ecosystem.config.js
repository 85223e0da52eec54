// pm2 process file: the web app (Next in production mode, fork mode, one instance).
// The orchestrator inside it starts the producers through pm2's API, so they run under
// the same pm2 (daemon or pm2-runtime) as siblings of the app.
//   npm run build && pm2 start ecosystem.config.js     (daemon)
//   npm start                                         (pm2-runtime in the foreground)
const path = require("node:path");

// V8 tuned for size: a young generation of 2 MB semi-spaces instead of 16 MB, and a heap that
// grows less eagerly. The server's heap is mostly short-lived garbage (requests, answers,
// snapshots); with these flags it idles at ~270 MB RSS instead of ~330 MB and stays under
// 400 MB through a 30-minute run (bench:soak, README "Memory"). bench/soak.ts runs the same flags.
const SERVER_NODE_FLAGS = ["--max-semi-space-size=2", "--optimize-for-size"];

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
