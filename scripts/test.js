// npm test: typecheck, unit and integration tests (vitest), then the browser tests
// (Playwright on the production build). Each stage runs even when an earlier one failed, so
// one failing unit test does not hide the browser results; the exit code is non-zero if
// any stage failed. Stages: `node scripts/test.js [typecheck] [unit] [e2e]` (default all).
const { spawnSync } = require("node:child_process");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const bin = (name, ...rest) => path.join(root, "node_modules", name, ...rest);

const STAGES = {
  typecheck: [process.execPath, [bin("typescript", "bin", "tsc"), "--noEmit"]],
  unit: [process.execPath, [bin("vitest", "vitest.mjs"), "run"]],
  e2e: [process.execPath, [path.join(__dirname, "e2e.js")]],
};

const wanted = process.argv.slice(2);
for (const w of wanted) {
  if (w in STAGES) continue;
  console.error(`scripts/test.js: unknown stage ${w} (${Object.keys(STAGES).join(", ")})`);
  process.exit(2);
}
require("./lib").ensureInstalled();
const results = [];
for (const name of wanted.length > 0 ? wanted : Object.keys(STAGES)) {
  const [cmd, args] = STAGES[name];
  console.log(`\n=== ${name} ===`);
  const r = spawnSync(cmd, args, { stdio: "inherit", cwd: root });
  results.push({ name, status: r.status ?? 1, signal: r.signal });
}
console.log(
  `\n=== summary ===\n${results.map((r) => `${r.status === 0 ? "passed" : "FAILED"}  ${r.name}${r.status === 0 ? "" : ` (exit ${r.signal ?? r.status})`}`).join("\n")}`,
);
process.exit(results.every((r) => r.status === 0) ? 0 : 1);
