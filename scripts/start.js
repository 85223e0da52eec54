#!/usr/bin/env node
// `npm start`: install if needed, build if needed, then run ecosystem.config.js in the
// foreground under pm2-runtime. Ctrl-C stops the web app and every producer: no pm2
// daemon or producer outlives this command.
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const { root, ensureInstalled, ensureBuilt, defaultPm2Home } = require("./lib");

ensureInstalled();
ensureBuilt();

const env = { ...process.env };
env.PM2_HOME ||= defaultPm2Home();
env.IGENTAI_STOP_RUN_ON_EXIT = "1"; // Ctrl-C stops the run too (see src/server/instance.ts)
fs.mkdirSync(env.PM2_HOME, { recursive: true });
const port = env.PORT || "8080";
console.log(`igentai: starting on http://localhost:${port} (pm2-runtime, PM2_HOME=${env.PM2_HOME})`);
const child = spawn(process.execPath, [path.join(root, "node_modules", "pm2", "bin", "pm2-runtime"), "start", path.join(root, "ecosystem.config.js")], {
  cwd: root,
  env,
  stdio: "inherit",
});
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
