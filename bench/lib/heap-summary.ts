import fs from "node:fs";

/**
 * Self size and count per constructor (node name for objects, type for the rest) of a V8
 * heap snapshot (`node --heapsnapshot-signal`, the inspector): comparing two snapshots of a
 * process shows what grows. Self sizes, not retained ones: enough to see which objects pile up.
 */
export function heapSummary(file: string): Map<string, { count: number; bytes: number }> {
  const snap = JSON.parse(fs.readFileSync(file, "utf8")) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const stride = fields.length;
  const iType = fields.indexOf("type");
  const iName = fields.indexOf("name");
  const iSize = fields.indexOf("self_size");
  const out = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < snap.nodes.length; i += stride) {
    const type = types[snap.nodes[i + iType]!]!;
    const name = snap.strings[snap.nodes[i + iName]!] ?? "?";
    const key = type === "object" || type === "closure" ? `${type}:${name}` : `(${type})`;
    const e = out.get(key) ?? { count: 0, bytes: 0 };
    e.count++;
    e.bytes += snap.nodes[i + iSize]!;
    out.set(key, e);
  }
  return out;
}

/** The constructors that grew most between two snapshots, by bytes. */
export function heapGrowth(before: string, after: string, top = 25) {
  const a = heapSummary(before);
  const b = heapSummary(after);
  const rows = [...b.entries()].map(([key, v]) => {
    const o = a.get(key) ?? { count: 0, bytes: 0 };
    return { key, count: v.count, bytes: v.bytes, countDelta: v.count - o.count, bytesDelta: v.bytes - o.bytes };
  });
  return rows.sort((x, y) => y.bytesDelta - x.bytesDelta).slice(0, top);
}

if (require.main === module) {
  const [before, after] = process.argv.slice(2);
  if (!before) throw new Error("usage: tsx bench/lib/heap-summary.ts <snapshot> [later-snapshot]");
  if (after) console.table(heapGrowth(before, after));
  else
    console.table(
      [...heapSummary(before).entries()]
        .sort((x, y) => y[1].bytes - x[1].bytes)
        .slice(0, 25)
        .map(([key, v]) => ({ key, ...v })),
    );
}
