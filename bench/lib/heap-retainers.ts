import fs from "node:fs";

/**
 * What keeps objects of one constructor alive in a V8 heap snapshot: for each of them, the
 * shortest path from the GC roots over strong edges (weak and shortcut edges skipped), grouped
 * by path. `skipFrom` names nodes whose edges are ignored: Node reports every web stream under
 * its per-environment "Node / CleanupQueue" with a strong-looking edge, which hides the path
 * that really holds a leaked request (tsx bench/lib/heap-retainers.ts snap ServerResponse
 * --skip "Node / CleanupQueue" found the settled batch promises holding request contexts).
 */
export function retainerPaths(file: string, target: string, opts: { skipFrom?: string[]; depth?: number } = {}) {
  const snap = JSON.parse(fs.readFileSync(file, "utf8")) as {
    snapshot: { meta: { node_fields: string[]; edge_fields: string[]; node_types: [string[]]; edge_types: [string[]] } };
    nodes: number[];
    edges: number[];
    strings: string[];
  };
  const m = snap.snapshot.meta;
  const nf = m.node_fields.length;
  const ef = m.edge_fields.length;
  const nodeTypes = m.node_types[0];
  const edgeTypes = m.edge_types[0];
  const iType = m.node_fields.indexOf("type");
  const iName = m.node_fields.indexOf("name");
  const iEdges = m.node_fields.indexOf("edge_count");
  const eType = m.edge_fields.indexOf("type");
  const eName = m.edge_fields.indexOf("name_or_index");
  const eTo = m.edge_fields.indexOf("to_node");
  const { nodes, edges, strings } = snap;
  const count = nodes.length / nf;
  const firstEdge = new Int32Array(count + 1);
  for (let i = 0, e = 0; i < count; i++) {
    firstEdge[i] = e;
    e += nodes[i * nf + iEdges]! * ef;
  }
  firstEdge[count] = edges.length;
  const skipped = new Set(opts.skipFrom ?? []);
  const weak = new Set([edgeTypes.indexOf("weak"), edgeTypes.indexOf("shortcut")]);
  const parent = new Int32Array(count).fill(-1);
  const parentEdge = new Int32Array(count).fill(-1);
  const queue = new Int32Array(count);
  let head = 0;
  let tail = 0;
  queue[tail++] = 0;
  parent[0] = 0;
  while (head < tail) {
    const n = queue[head++]!;
    if (skipped.has(strings[nodes[n * nf + iName]!]!)) continue;
    for (let e = firstEdge[n]!; e < firstEdge[n + 1]!; e += ef) {
      if (weak.has(edges[e + eType]!)) continue;
      const to = edges[e + eTo]! / nf;
      if (parent[to] !== -1) continue;
      parent[to] = n;
      parentEdge[to] = e;
      queue[tail++] = to;
    }
  }
  const nodeName = (n: number) => `${nodeTypes[nodes[n * nf + iType]!]}:${String(strings[nodes[n * nf + iName]!]).slice(0, 60)}`;
  const edgeName = (e: number) => {
    const type = edgeTypes[edges[e + eType]!];
    const v = edges[e + eName]!;
    return type === "element" || type === "hidden" ? "[]" : String(strings[v]).slice(0, 40);
  };
  const groups = new Map<string, number>();
  let total = 0;
  let unreachable = 0;
  for (let n = 0; n < count; n++) {
    if (nodeTypes[nodes[n * nf + iType]!] !== "object" || strings[nodes[n * nf + iName]!] !== target) continue;
    total++;
    if (parent[n] === -1) {
      unreachable++;
      continue;
    }
    const path: string[] = [];
    for (let c = n; c !== 0 && path.length < (opts.depth ?? 40); c = parent[c]!) path.push(`${nodeName(c)} <-${edgeName(parentEdge[c]!)}-`);
    const key = path.reverse().join("\n  ");
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  const paths = [...groups.entries()].sort((a, b) => b[1] - a[1]).map(([path, n]) => ({ count: n, path }));
  return { target, total, unreachable, paths };
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const skipFrom: string[] = [];
  for (let i = args.indexOf("--skip"); i !== -1; i = args.indexOf("--skip")) skipFrom.push(...args.splice(i, 2).slice(1));
  const [file, target = "ServerResponse", top = "5"] = args;
  if (!file) throw new Error('usage: tsx bench/lib/heap-retainers.ts <snapshot> [constructor] [top] [--skip "Node / CleanupQueue"]');
  const r = retainerPaths(file, target, { skipFrom });
  console.log(`${r.total} ${target}, ${r.unreachable} held only weakly`);
  for (const p of r.paths.slice(0, Number(top))) console.log(`\n${p.count} x\n  ${p.path}`);
}
