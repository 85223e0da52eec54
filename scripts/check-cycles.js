// No import cycle among the orchestrator's modules (src/server/orchestrator/*.ts), which
// `npm run lint` enforces: one candidate's path passes each module once, in one direction.
// Every relative import between them counts, `import type` and `export ... from` included: a
// type-only cycle is harmless at run time, but it is the same tangle for a reader.
// `node scripts/check-cycles.js` exits 1 naming each cycle; `--root DIR` checks another tree
// (the script's test).
const fs = require("node:fs");
const path = require("node:path");
const ts = require("typescript");

const rootArg = process.argv.indexOf("--root");
const root = rootArg === -1 ? path.resolve(__dirname, "..") : path.resolve(process.argv[rootArg + 1] ?? ".");
const DIR = "src/server/orchestrator";

/** The folder's modules (tests too: nothing imports them, so they close no cycle) -> the folder's modules they import. */
function importGraph() {
  const dir = path.join(root, DIR);
  const modules = fs
    .readdirSync(dir)
    .filter((f) => /\.tsx?$/.test(f) && !f.endsWith(".d.ts"))
    .map((f) => f.replace(/\.tsx?$/, ""));
  const known = new Set(modules);
  const graph = new Map();
  for (const m of modules) {
    const file = fs.existsSync(path.join(dir, `${m}.ts`)) ? `${m}.ts` : `${m}.tsx`;
    const info = ts.preProcessFile(fs.readFileSync(path.join(dir, file), "utf8"), true, true);
    const deps = new Set();
    for (const { fileName } of info.importedFiles) {
      const target = /^\.\/([^/]+?)(\.js|\.ts)?$/.exec(fileName)?.[1];
      if (target !== undefined && known.has(target) && target !== m) deps.add(target);
    }
    graph.set(m, [...deps].sort());
  }
  return graph;
}

/** The modules caught in cycles, as strongly connected components of more than one module (Tarjan). */
function cycles(graph) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const out = [];
  let next = 0;
  const visit = (v) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) !== index.get(v)) return;
    const component = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) out.push(component.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return out;
}

/** A shortest cycle through `start` inside its component (breadth first). */
function shortestCycle(graph, component, start) {
  const from = new Map([[start, null]]);
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift();
    for (const w of graph.get(v)) {
      if (!component.has(w)) continue;
      if (w === start) {
        const cycle = [];
        for (let u = v; u !== null; u = from.get(u)) cycle.unshift(u);
        return [...cycle, start];
      }
      if (!from.has(w)) {
        from.set(w, v);
        queue.push(w);
      }
    }
  }
  return [...component];
}

const graph = importGraph();
const lines = [];
for (const component of cycles(graph)) {
  // A cycle through each module of the component, each cycle once: what to cut.
  const shown = new Set();
  for (const m of component) {
    const cycle = shortestCycle(graph, new Set(component), m);
    const key = [...cycle.slice(0, -1)].sort().join(" ");
    if (!shown.has(key)) lines.push(`  ${cycle.join(" -> ")}`);
    shown.add(key);
  }
}
if (lines.length > 0) {
  console.error(`check-cycles: import cycles in ${DIR} (scripts/check-cycles.js):\n${lines.join("\n")}`);
  process.exit(1);
}
