import { errorMessage } from "../lib/errors";
import { runIdFromDownloadPath } from "../lib/validation";
import {
  CONTENT_TYPES,
  CSV_HEADER,
  JSON_TAIL,
  csvLine,
  exportFileName,
  inTxt,
  jsonEntry,
  jsonHead,
  parseExportFormat,
  txtLine,
  type ExportEntry,
  type ExportFormat,
} from "../app/_lib/export-format";
import type { Db } from "./db/client";
import { ENTRY_LISTING_SELECT, withSupportCounts } from "./orchestrator/entry-repo";

/** Entries are read in pages so a run of millions of entries streams in constant memory. */
const PAGE_SIZE = 5_000;

/**
 * `GET /api/runs/<runId>/download?format=txt|json|csv`: a run's entries, streamed. The run id
 * is read from the path as sent (not from a router's decoded params), so that an id no router
 * can decode gets its 400 here too. Used by the Next route and by src/server/http.ts.
 */
export async function downloadRun(req: Request, db: Db): Promise<Response> {
  const url = new URL(req.url);
  const format = parseExportFormat(url.searchParams.get("format"));
  if (!format) return errorResponse(400, "format", "format must be txt, json or csv");
  // Checked before the database sees it: a NUL (`%00`) once reached PostgreSQL and answered 500.
  const id = runIdFromDownloadPath(url.pathname);
  if (id === null) return errorResponse(404, "path", "not a download path (/api/runs/<runId>/download)");
  if ("error" in id) return errorResponse(400, "runId", id.error);
  const { runId } = id;

  const row = await db.prisma.run.findUnique({
    where: { id: runId },
    select: { id: true, topic: true, slug: true, state: true, startedAt: true, stoppedAt: true },
  });
  if (!row) return errorResponse(404, "runId", `no run ${runId}`);
  // The export is the run's entries at this moment: counted with the highest seq in one statement,
  // and only entries up to that seq are written (a live run's later entries have higher seqs).
  // The header's total is then the number of entries written, not the run row's total of its last sample.
  const moment = await entriesAt(db, runId);
  const run = { ...row, totalUnique: moment.count };

  const encoder = new TextEncoder();
  let afterSeq = 0;
  let first = true;
  let started = false;
  let done = false;

  const stream = new ReadableStream<Uint8Array>({
    // Pull-based: the next page is read only when the client has taken the previous one.
    async pull(controller) {
      try {
        if (!started) {
          started = true;
          const head = header(format, run);
          if (head) controller.enqueue(encoder.encode(head));
        }
        if (done) return;
        const rows: ExportEntry[] = await withSupportCounts(
          db.prisma,
          runId,
          await db.prisma.entry.findMany({
            where: { runId, seq: { gt: afterSeq, lte: moment.maxSeq } },
            orderBy: { seq: "asc" },
            take: PAGE_SIZE,
            select: ENTRY_LISTING_SELECT,
          }),
        );
        let chunk = "";
        for (const e of rows) {
          // The txt export is output.txt: every entry not rejected by verification.
          if (format === "txt" && !inTxt(e)) continue;
          chunk += line(format, e, first);
          first = false;
        }
        const last = rows[rows.length - 1];
        if (last) afterSeq = last.seq;
        if (rows.length < PAGE_SIZE) {
          done = true;
          if (format === "json") chunk += JSON_TAIL;
        }
        if (chunk) controller.enqueue(encoder.encode(chunk));
        if (done) controller.close();
      } catch (err) {
        console.error(`[igentai] error: download of run ${runId}: ${errorMessage(err)}`);
        controller.error(err);
      }
    },
  });

  return new Response(stream, {
    headers: {
      "content-type": CONTENT_TYPES[format],
      "content-disposition": `attachment; filename="${exportFileName(run.slug, format)}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}

/** How many entries the run has and its highest seq, read together (one statement: one moment). */
async function entriesAt(db: Db, runId: string): Promise<{ count: number; maxSeq: number }> {
  const [r] = await db.prisma.$queryRaw<Array<{ count: bigint | number; max_seq: number | null }>>`
    SELECT COUNT(*) AS "count", MAX("seq") AS "max_seq" FROM "entries" WHERE "run_id" = ${runId}`;
  return { count: Number(r?.count ?? 0), maxSeq: r?.max_seq ?? 0 };
}

function header(format: ExportFormat, run: Parameters<typeof jsonHead>[0]): string {
  if (format === "csv") return CSV_HEADER;
  if (format === "json") return jsonHead(run, new Date());
  return "";
}

function line(format: ExportFormat, e: ExportEntry, first: boolean): string {
  if (format === "csv") return csvLine(e);
  if (format === "json") return jsonEntry(e, first);
  return txtLine(e);
}

/** Errors as the guard answers them: short JSON naming the field. */
export function errorResponse(status: number, field: string, message: string): Response {
  return new Response(JSON.stringify({ error: { field, message } }), { status, headers: { "content-type": "application/json", "cache-control": "no-store" } });
}
