import { topicSlug } from "./slug";

// `igentai import`: an output.txt read back into a run (issue 20). Pure helpers for the CLI.

/** Bytes of lines per import call: well under the API's 1 MiB body, JSON escaping included. */
const CHUNK_BYTES = 512 * 1024;
/** Lines per import call (topic.importRun's limit). */
const CHUNK_LINES = 50_000;

/**
 * The topic of an output folder (`<slug>`, or `<slug>.moved-<time>` once moved aside), when its
 * name tells it exactly: the slug is lossy (lowercase, dashes), but it ends in a hash of the
 * topic, so a guess (as written, sentence case, title case) is checked against it. Null otherwise.
 */
export function topicOfFolder(folder: string): string | null {
  const slug = folder.replace(/\.moved-.*$/, "");
  const m = /^(.+)-[0-9a-f]{8}$/.exec(slug);
  if (!m) return null;
  const words = m[1]!.split("-");
  const cap = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);
  const guesses = [words.join(" "), [cap(words[0]!), ...words.slice(1)].join(" "), words.map(cap).join(" "), words.join(" ").toUpperCase()];
  return guesses.find((g) => topicSlug(g) === slug) ?? null;
}

/** A file's lines (blank ones dropped, CRLF tolerated) in parts of at most CHUNK_BYTES and CHUNK_LINES. */
export function importChunks(text: string, limits = { bytes: CHUNK_BYTES, lines: CHUNK_LINES }): string[][] {
  const chunks: string[][] = [];
  let chunk: string[] = [];
  let bytes = 0;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === "") continue;
    const size = Buffer.byteLength(line) + 8;
    if (chunk.length > 0 && (bytes + size > limits.bytes || chunk.length >= limits.lines)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(line);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}
