import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleepTimer } from "node:timers/promises";

/** Bodies above this are refused with 413 (a 200k-token prompt is ~1 MB). */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

export class BodyTooLargeError extends Error {}

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw new BodyTooLargeError(`request body over ${limit} bytes`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export type Headers = Record<string, string>;

/** Writes a JSON response unless the client is gone. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Headers = {}): void {
  if (res.destroyed || res.writableEnded) return;
  const payload = JSON.stringify(body);
  res.writeHead(status, { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(payload) });
  res.end(payload);
}

export function startSse(res: ServerResponse, headers: Headers): void {
  res.writeHead(200, { ...headers, "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive" });
  res.flushHeaders();
}

/** Writes one SSE message; false when the client is gone. */
export function writeSse(res: ServerResponse, data: string, event?: string): boolean {
  if (res.destroyed || res.writableEnded) return false;
  res.write(`${event ? `event: ${event}\n` : ""}data: ${data}\n\n`);
  return true;
}

/** Sleeps `ms`; resolves false (instead of throwing) when `signal` aborts first. */
export async function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  if (ms <= 0) return true;
  try {
    await sleepTimer(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

/**
 * An AbortSignal that fires when the client goes away before the response is complete, or
 * when the server shuts down.
 */
export function requestSignal(res: ServerResponse, shutdown: AbortSignal): AbortSignal {
  const controller = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  return AbortSignal.any([controller.signal, shutdown]);
}

/** Splits text into stream deltas of about a word each (with their trailing whitespace). */
export function streamPieces(text: string): string[] {
  const pieces = text.match(/\s*\S+\s*?(?=\s|$)|\s+$/g) ?? [];
  return pieces.join("") === text ? pieces : [text];
}

/**
 * Emits `text` in pieces on the model's schedule: the first after ttftMs, then msPerToken per
 * ~4 characters. Returns false if aborted. `onPiece` returns false to stop early.
 */
export async function paceText(
  text: string,
  timing: { ttftMs: number; msPerToken: number },
  signal: AbortSignal,
  onPiece: (piece: string, offset: number) => boolean,
): Promise<boolean> {
  const started = performance.now();
  let offset = 0;
  for (const piece of streamPieces(text)) {
    const due = timing.ttftMs + (timing.msPerToken * offset) / 4;
    const wait = due - (performance.now() - started);
    // Timers are coarse; batching pieces due within a few ms keeps the schedule without a timer per token.
    if (wait > 4 && !(await sleep(wait, signal))) return false;
    if (signal.aborted) return false;
    if (!onPiece(piece, offset)) return false;
    offset += piece.length;
  }
  return true;
}

/**
 * Streams a simulated answer on the model's schedule, both wires alike: the reasoning sent
 * apart first, then the answer text; `emit` gets each non-empty piece with its part and returns
 * false to stop. Resolves false when the answer breaks off (at `streamErrorAtChar`, an offset
 * into the text: a mid-stream failure), the client left or `emit` stopped.
 */
export function paceAnswer(
  answer: { reasoning: string; text: string; streamErrorAtChar: number | null; latency: { ttftMs: number; msPerToken: number } },
  signal: AbortSignal,
  emit: (piece: string, part: "reasoning" | "text") => boolean,
): Promise<boolean> {
  const reasoning = answer.reasoning.length;
  const breakAt = answer.streamErrorAtChar === null ? null : reasoning + answer.streamErrorAtChar;
  const part = (piece: string, which: "reasoning" | "text") => piece === "" || emit(piece, which);
  return paceText(answer.reasoning + answer.text, answer.latency, signal, (piece, offset) => {
    if (breakAt !== null && offset + piece.length > breakAt) return false;
    const cut = Math.max(0, Math.min(piece.length, reasoning - offset));
    return part(piece.slice(0, cut), "reasoning") && part(piece.slice(cut), "text");
  });
}
