#!/usr/bin/env node
// Bundles the producer (src/server/producer/main.ts and everything it imports, node_modules
// included) into dist/producer.js, which pm2 runs with plain `node`: no TypeScript loader in
// each producer (~40 MB of RSS), no "TypeScript support unavailable" warning. The inputs are
// listed in dist/producer.meta.json, so the supervisor can tell a stale bundle from a fresh one
// (a stale one is ignored: the source then runs through tsx).
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");

/** `outDir`: dist/ by default (what the supervisor looks for); tests build elsewhere. */
async function buildProducer(outDir = path.join(root, "dist")) {
  const outfile = path.join(outDir, "producer.js");
  const metaFile = path.join(outDir, "producer.meta.json");
  const esbuild = require("esbuild");
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: ["src/server/producer/main.ts"],
    outfile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    // Readable stack traces in the producers' logs; the file is read once per process.
    minify: false,
    legalComments: "none",
    metafile: true,
    logLevel: "warning",
  });
  const inputs = Object.keys(result.metafile.inputs).filter((f) => !f.startsWith("node_modules/"));
  fs.writeFileSync(metaFile, JSON.stringify({ entry: "src/server/producer/main.ts", inputs }, null, 2) + "\n");
  return outfile;
}

module.exports = { buildProducer };

if (require.main === module) {
  buildProducer().then(
    (f) => console.log(`igentai: producer bundled into ${path.relative(root, f)}`),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
