#!/usr/bin/env node
// Bundles the producer (src/server/producer/main.ts and everything it imports, node_modules
// included) into dist/producer/main.mjs, which pm2 runs with plain `node`: no TypeScript loader
// in each producer (~40 MB of RSS), no "TypeScript support unavailable" warning. Each SDK is a
// chunk of its own, loaded by the producers whose model needs it (V8 keeps a script's whole
// source in memory: the Anthropic SDK alone is 1.3 MB of it). The inputs are listed in
// dist/producer/meta.json, so the supervisor can tell a stale bundle from a fresh one (a stale
// one is ignored: the source then runs through tsx).
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");

/** `outDir`: dist/producer by default (what the supervisor looks for); tests build elsewhere. */
async function buildProducer(outDir = path.join(root, "dist", "producer")) {
  const esbuild = require("esbuild");
  fs.rmSync(outDir, { recursive: true, force: true });
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: { main: "src/server/producer/main.ts" },
    outdir: outDir,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    splitting: true,
    platform: "node",
    target: "node20",
    format: "esm",
    // CommonJS dependencies require() node's built-ins: give the ES module a require.
    banner: { js: 'import { createRequire as __igentaiRequire } from "node:module"; const require = __igentaiRequire(import.meta.url);' },
    // Smaller source held in memory; names kept, so stack traces in the logs stay readable.
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: "none",
    metafile: true,
    logLevel: "warning",
  });
  const outfile = path.join(outDir, "main.mjs");
  const metaFile = path.join(outDir, "meta.json");
  const all = Object.keys(result.metafile.inputs);
  const inputs = all.filter((f) => !f.startsWith("node_modules/"));
  const packages = [...new Set(all.map((f) => /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(f)?.[1]).filter(Boolean))].sort();
  fs.writeFileSync(metaFile, JSON.stringify({ entry: "src/server/producer/main.ts", inputs, packages }, null, 2) + "\n");
  return outfile;
}

module.exports = { buildProducer };

if (require.main === module) {
  buildProducer().then(
    (f) => console.log(`igentai: producer bundled into ${path.relative(root, f)} (and its chunks)`),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
