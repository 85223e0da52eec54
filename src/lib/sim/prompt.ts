/**
 * Reading a producer's prompt. The tags are plain delimiters:
 *   <topic>...</topic>, <known_entries>one per line</known_entries>, <request_size>N</request_size>
 * anywhere in the system or user messages. Tolerant: tag case, `-` for `_`, attributes,
 * a missing closing tag, several known_entries blocks.
 */

export const DEFAULT_REQUEST_SIZE = 50;
export const MAX_REQUEST_SIZE = 1000;

export interface ParsedPrompt {
  /** The topic, as written (trimmed); null when no <topic> tag was found. */
  topic: string | null;
  /** Previous entries listed in the prompt, raw lines (blank lines dropped). */
  knownEntries: string[];
  requestSize: number;
}

function blocks(text: string, tag: string): string[] {
  const open = new RegExp(`<${tag}(?:\\s[^>]*)?>`, "gi");
  const out: string[] = [];
  let m: RegExpExecArray | null;
  while ((m = open.exec(text)) !== null) {
    const start = m.index + m[0].length;
    const close = new RegExp(`</${tag}\\s*>`, "i");
    const rest = text.slice(start);
    const c = close.exec(rest);
    out.push(c ? rest.slice(0, c.index) : rest);
    open.lastIndex = c ? start + c.index + c[0].length : text.length;
  }
  return out;
}

export function parsePrompt(texts: readonly string[]): ParsedPrompt {
  const all = texts.join("\n");
  const topicBlock = blocks(all, "topic")
    .map((t) => t.trim())
    .find((t) => t.length > 0);
  const knownEntries: string[] = [];
  for (const b of blocks(all, "known[_-]entries")) {
    for (const line of b.split(/\r?\n/)) {
      const t = line.trim();
      if (t.length > 0) knownEntries.push(t);
    }
  }
  let requestSize = DEFAULT_REQUEST_SIZE;
  const sizeBlock = blocks(all, "request[_-]size")[0];
  const n = sizeBlock === undefined ? NaN : Number.parseInt(sizeBlock.trim(), 10);
  if (Number.isFinite(n) && n > 0) requestSize = Math.min(n, MAX_REQUEST_SIZE);
  return { topic: topicBlock ?? null, knownEntries, requestSize };
}

/**
 * The tree's requests (src/lib/prompt.ts writes them): `<branch_path>` lists the labels from the
 * root's first subtopic down to the branch, one per line; a breakdown request also carries
 * `<subtopic_count>N</subtopic_count>` and the `<existing_subtopics>` of that branch.
 */
export type SimRequestKind =
  | { kind: "items"; prompt: ParsedPrompt; path: string[]; lessObvious: boolean }
  | { kind: "breakdown"; topic: string | null; path: string[]; existing: string[]; count: number };

export const DEFAULT_SUBTOPIC_COUNT = 8;
export const MAX_SUBTOPIC_COUNT = 50;

function lines(blocksText: readonly string[]): string[] {
  const out: string[] = [];
  for (const b of blocksText) {
    for (const line of b.split(/\r?\n/)) {
      const t = line.trim();
      if (t.length > 0) out.push(t);
    }
  }
  return out;
}

/** What kind of request a prompt is, recognised from its text alone. */
export function readRequest(texts: readonly string[]): SimRequestKind {
  const all = texts.join("\n");
  const path = lines(blocks(all, "branch[_-]path"));
  const countBlock = blocks(all, "subtopic[_-]count")[0];
  if (countBlock === undefined) {
    const lessObvious = blocks(all, "prefer").some((b) => /less[_ -]obvious/i.test(b));
    return { kind: "items", prompt: parsePrompt(texts), path, lessObvious };
  }
  const n = Number.parseInt(countBlock.trim(), 10);
  const topic =
    blocks(all, "topic")
      .map((t) => t.trim())
      .find((t) => t.length > 0) ?? null;
  return {
    kind: "breakdown",
    topic,
    path,
    existing: lines(blocks(all, "existing[_-]subtopics")),
    count: Number.isFinite(n) && n > 0 ? Math.min(n, MAX_SUBTOPIC_COUNT) : DEFAULT_SUBTOPIC_COUNT,
  };
}
