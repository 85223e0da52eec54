/** Formats of the entries download: output.txt lines, CSV (RFC 4180) and JSON with metadata. */

export const EXPORT_FORMATS = ["txt", "json", "csv"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export type ExportEntry = {
  seq: number;
  text: string;
  producer: string;
  provider: string;
  model: string;
  createdAt: Date;
  /** Distinct calls, producers and models that proposed it (src/lib/trust/support.ts). */
  supportCalls: number;
  supportProducers: number;
  supportModels: number;
  /** verified | unsure | rejected, or null: not verified (src/lib/trust/policy.ts). */
  verdict: string | null;
};
export type ExportRun = { id: string; topic: string; slug: string; state: string; totalUnique: number; startedAt: Date | null; stoppedAt: Date | null };

export function parseExportFormat(v: string | null): ExportFormat | null {
  const f = (v ?? "txt").toLowerCase();
  return (EXPORT_FORMATS as readonly string[]).includes(f) ? (f as ExportFormat) : null;
}

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  txt: "text/plain; charset=utf-8",
  json: "application/json; charset=utf-8",
  csv: "text/csv; charset=utf-8",
};

export function exportFileName(slug: string, format: ExportFormat): string {
  const safe = slug.replace(/[^a-z0-9-]/gi, "") || "run";
  return format === "txt" ? `${safe}-output.txt` : `${safe}-entries.${format}`;
}

/** One line of output.txt: entries never contain newlines, but a stray one must not split an entry. */
export function txtLine(e: Pick<ExportEntry, "text">): string {
  return `${e.text.replace(/\r?\n|\r/g, " ")}\n`;
}

export function csvField(v: string | number): string {
  const s = String(v);
  // Quote when needed; a leading = + - @ is prefixed so spreadsheets do not run it as a formula.
  const guarded = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(guarded) || guarded !== s ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

export const CSV_HEADER = "seq,text,producer,provider,model,created_at,support_calls,support_producers,support_models,verdict\r\n";

export function csvLine(e: ExportEntry): string {
  const fields = [
    e.seq,
    e.text,
    e.producer,
    e.provider,
    e.model,
    e.createdAt.toISOString(),
    e.supportCalls,
    e.supportProducers,
    e.supportModels,
    e.verdict ?? "",
  ];
  return `${fields.map(csvField).join(",")}\r\n`;
}

/** output.txt holds every entry not rejected: so does the txt download. */
export function inTxt(e: Pick<ExportEntry, "verdict">): boolean {
  return e.verdict !== "rejected";
}

/** JSON is streamed as `{"run": {...}, "entries": [` + entries + `]}`. */
export function jsonHead(run: ExportRun, exportedAt: Date): string {
  const meta = {
    id: run.id,
    topic: run.topic,
    slug: run.slug,
    state: run.state,
    totalUnique: run.totalUnique,
    startedAt: run.startedAt?.toISOString() ?? null,
    stoppedAt: run.stoppedAt?.toISOString() ?? null,
    exportedAt: exportedAt.toISOString(),
  };
  return `{"run":${JSON.stringify(meta)},"entries":[\n`;
}

export function jsonEntry(e: ExportEntry, first: boolean): string {
  const obj = {
    seq: e.seq,
    text: e.text,
    producer: e.producer,
    provider: e.provider,
    model: e.model,
    createdAt: e.createdAt.toISOString(),
    support: { calls: e.supportCalls, producers: e.supportProducers, models: e.supportModels },
    verdict: e.verdict,
  };
  return `${first ? "" : ",\n"}${JSON.stringify(obj)}`;
}

export const JSON_TAIL = "\n]}\n";
