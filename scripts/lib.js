// Shared helpers for the set-up scripts (plain CommonJS: they run before any install).
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const crypto = require("node:crypto");
const os = require("node:os");

const root = path.resolve(__dirname, "..");

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: "inherit", cwd: root, ...opts });
  if (r.status !== 0) {
    console.error(`igentai: '${cmd} ${args.join(" ")}' failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
}

function hashOf(files) {
  const h = crypto.createHash("sha256");
  for (const f of files) {
    const p = path.join(root, f);
    if (fs.existsSync(p)) h.update(f).update(fs.readFileSync(p));
  }
  return h.digest("hex");
}

/** npm install when node_modules is missing or package.json/lock changed since the last install. */
function ensureInstalled() {
  const stamp = path.join(root, "node_modules", ".igentai-install");
  const want = hashOf(["package.json", "package-lock.json"]);
  const generated = path.join(root, "src", "generated", "prisma", "client.ts");
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === want && fs.existsSync(generated)) return;
  console.log("igentai: installing dependencies (npm install)...");
  run("npm", ["install", "--no-audit", "--no-fund"], { env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: "1" } });
  fs.writeFileSync(stamp, hashOf(["package.json", "package-lock.json"]));
}

/** next build, and the producer bundle, when there is none or the sources are newer than it. */
function ensureBuilt() {
  const buildId = path.join(root, ".next", "BUILD_ID");
  const newest = newestMtime(["src", "next.config.mjs", "package-lock.json", "prisma"]);
  const producer = path.join(root, "dist", "producer", "main.mjs");
  if (!fs.existsSync(producer) || fs.statSync(producer).mtimeMs < newest) {
    run(process.execPath, [path.join(root, "scripts", "build-producer.js")]);
  }
  if (fs.existsSync(buildId) && fs.statSync(buildId).mtimeMs >= newest) return;
  console.log("igentai: building the web app (next build)...");
  run(process.execPath, [path.join(root, "node_modules", "next", "dist", "bin", "next"), "build"]);
}

function newestMtime(entries) {
  let newest = 0;
  const walk = (p) => {
    let st;
    try {
      st = fs.statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      if (/(^|\/)(generated|node_modules|\.next)$/.test(p)) return;
      for (const e of fs.readdirSync(p)) walk(path.join(p, e));
    } else if (!/\.test\.tsx?$/.test(p)) newest = Math.max(newest, st.mtimeMs);
  };
  for (const e of entries) walk(path.join(root, e));
  return newest;
}

/**
 * PM2_HOME for `npm start`: inside the project so a user's own pm2 is untouched, unless
 * that path is too long for pm2's Unix sockets (the daemon hangs past ~100 characters).
 */
function defaultPm2Home() {
  const local = path.join(root, "data", "pm2");
  if (local.length <= 60) return local;
  const id = crypto.createHash("sha256").update(root).digest("hex").slice(0, 10);
  return path.join(os.tmpdir(), `igentai-pm2-${id}`);
}

module.exports = { root, run, ensureInstalled, ensureBuilt, defaultPm2Home };
