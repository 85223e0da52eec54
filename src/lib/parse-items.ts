import { MAX_CANDIDATE_CHARS } from "./protocol";

/**
 * Turning an LLM's free-text answer into candidate items, one per line.
 *
 * Models are asked for bare items, one per line, but they decorate: numbering, bullets,
 * markdown, quotes, "Item - description", "Item: description", preambles ("Here are 50
 * more...") and sign-offs, and a streamed answer cut by max_tokens ends mid-line. The
 * cleaner is deliberately conservative about separators, because real items contain them
 * ("Star Wars: A New Hope", "Jean-Paul Sartre", "Mission: Impossible – Fallout").
 */

/** Small words that may appear lowercase inside a title ("Into the Spider-Verse"). */
const TITLE_SMALL_WORDS = new Set(
  "a an and as at but by de del der des di du en et for from in into la le les nor of off on onto or over per the to up upon via van von vs with y".split(" "),
);

const PREAMBLE =
  /^(?:(?:sure|certainly|of course|okay|ok|absolutely|great|alright)\b[\s,!.:]|here(?:'s| is| are)\b|below (?:is|are)\b|the following\b|these are\b|i(?:'ve| have| hope| will|'ll| can)\b|let me know\b|feel free\b|hope (?:this|that|these) helps?\b|would you like\b|do you want\b|enjoy\b|that'?s (?:all|it)\b|that is all\b|note:|continuing\b|more (?:items|entries)\b|additional (?:items|entries)\b|(?:list|items|entries) (?:of|for)\b)/i;

// ASCII bullets need a space after them, so "**Bold**" and "*italic*" are not bullets.
// Non-ASCII characters in regular expressions are written as escapes (here: en and em dash,
// then • · ▪ ▫ ◦ ‣ ⁃ ► ▸): one such character anywhere makes V8 hold the producer bundle's
// whole source as UTF-16, twice the memory (esbuild escapes them in strings, not in regexes).
const BULLET = /^(?:[-*+\u2013\u2014](?=\s)|[\u2022\u00b7\u25aa\u25ab\u25e6\u2023\u2043\u25ba\u25b8]|\[[ xX]?\](?=\s))\s*/u;
// At most 3 digits and a following space, so "1984" and "2001: A Space Odyssey" survive.
const NUMBERING = /^(?:\(?\d{1,3}[.)\]](?=\s|$)|\(\d{1,3}\)|#\d{1,3}[.):]?(?=\s)|\d{1,3}\s+[-\u2013\u2014]\s|[a-z]\)(?=\s))\s*/;
const QUOTE_PAIRS: ReadonlyArray<readonly [string, string]> = [
  ['"', '"'],
  ["'", "'"],
  ["“", "”"],
  ["‘", "’"],
  ["«", "»"],
  ["„", "“"],
  ["`", "`"],
];

/** True when `text` reads like a description rather than the rest of a title. */
function looksLikeDescription(text: string): boolean {
  const t = text.trim();
  if (t === "") return true;
  if (/^[a-z]/.test(t)) return true; // "Apple: a red fruit", "Lion - big cat"
  if (/[.!?]$/.test(t) && t.split(/\s+/).length >= 3) return true;
  const words = t.split(/\s+/);
  // A lowercase content word inside ("The capital of France") means prose, not a title.
  return words.some((w, i) => i > 0 && /^[a-z]{3,}/.test(w) && !TITLE_SMALL_WORDS.has(w.replace(/[^a-z]/g, "")));
}

function stripMarkdown(s: string): string {
  return s
    .replace(/\[([^\]]+)\]\([^)]*\)/g, "$1") // [text](url)
    .replace(/(\*\*|__)(.+?)\1/g, "$2")
    .replace(/(^|[\s(])([*_])(\S(?:.*?\S)?)\2(?=$|[\s).,:;!?])/g, "$1$3")
    .replace(/~~(.+?)~~/g, "$1")
    .replace(/`([^`]+)`/g, "$1");
}

function stripQuotes(s: string): string {
  let t = s.trim();
  for (let changed = true; changed; ) {
    changed = false;
    for (const [open, close] of QUOTE_PAIRS) {
      if (t.length >= 2 && t.startsWith(open) && t.endsWith(close)) {
        t = t.slice(open.length, t.length - close.length).trim();
        changed = true;
      }
    }
  }
  return t;
}

/**
 * One line of model output -> one candidate, or null for lines that are not items
 * (blank, preamble, heading, code fence, rule, table separator, sentence).
 */
export function cleanItemLine(rawLine: string): string | null {
  let s = rawLine.replace(/\r$/, "").trim();
  if (s === "") return null;
  if (/^(?:```|~~~|<\/?[a-z_]+>$)/i.test(s)) return null; // fences and stray prompt tags
  if (/^[-=*_\s|:]{3,}$/.test(s)) return null; // rules and table separators
  if (/^#{1,6}\s/.test(s)) return null; // markdown headings are section titles, not items
  s = s.replace(/^>\s*/, "");

  // Markdown table row: the first cell is the item.
  if (s.startsWith("|")) {
    const cells = s
      .split("|")
      .map((c) => c.trim())
      .filter((c) => c !== "");
    s = cells[0] ?? "";
  }

  // Bullets and numbering, possibly combined ("- 1. Item", "1. - Item").
  for (let i = 0; i < 3; i++) {
    const before = s;
    s = s.replace(BULLET, "").replace(NUMBERING, "");
    if (s === before) break;
  }
  if (s === "") return null;

  // "**Item**: description" / "**Item** - description": the emphasised part is the item.
  const emphasised = /^(\*\*|__)(.+?)\1\s*(?:[:\-\u2013\u2014(,]|$)/.exec(s);
  // A bold heading introducing a group ("**Museums:**", "**Museums**:") is not an item.
  if (emphasised?.[2] && (/:$/.test(emphasised[2]) || /^(\*\*|__).+?\1\s*:\s*$/.test(s))) return null;
  if (emphasised?.[2]) {
    s = emphasised[2];
  } else {
    // A preamble or sign-off sentence, or a line introducing a list ("Fruits:").
    // Only when it reads like a sentence: "I Will Survive" and "I Will Always Love You" are
    // items (title case), "I hope this helps!" and "Here are 50 more items" are not.
    if (PREAMBLE.test(s) && (/[.!:?]$/.test(s) || (s.split(/\s+/).length >= 5 && looksLikeDescription(s)))) return null;
    if (/:\s*$/.test(s)) return null;
    s = stripMarkdown(s);
  }

  // "Item - description", "Item – description", "Item — description".
  const dash = /\s[-\u2013\u2014]\s|\s\u2014|\u2014\s/.exec(s);
  if (dash && dash.index > 0 && looksLikeDescription(s.slice(dash.index + dash[0].length))) {
    s = s.slice(0, dash.index);
  }
  // "Item: description" (but keep "Star Wars: A New Hope").
  const colon = /:\s/.exec(s);
  if (colon && colon.index > 0 && looksLikeDescription(s.slice(colon.index + colon[0].length))) {
    s = s.slice(0, colon.index);
  }
  // A trailing parenthetical that is prose ("Paris (the capital of France)"), also when
  // punctuation follows it ("Huravi Castle (a classic choice)." reached output.txt whole).
  s = s.replace(/\s*\(([^()]*)\)[\s.,;!]*$/, (whole, inner: string) => (inner.split(/\s+/).length >= 3 && looksLikeDescription(inner) ? "" : whole));

  s = stripQuotes(s.trim()).replace(/[\s.,;:!]+$/u, "");
  s = stripQuotes(s).replace(/\s+/g, " ").trim();
  if (s === "" || !/[\p{L}\p{N}]/u.test(s)) return null;
  // A long sentence is commentary, not an item.
  if (s.split(" ").length > 16 || s.length > MAX_CANDIDATE_CHARS) return null;
  return s;
}

/** Parse a whole answer; `truncated` drops the last line (the model was cut off). */
export function parseItems(text: string, opts: { truncated?: boolean } = {}): string[] {
  const lines = text.split("\n");
  if (opts.truncated && !text.endsWith("\n")) lines.pop();
  const items: string[] = [];
  for (const line of lines) {
    const item = cleanItemLine(line);
    if (item !== null) items.push(item);
  }
  return items;
}

/**
 * Streaming line splitter: feed text deltas, get back each complete line as soon as its
 * newline arrives. `end()` returns the last unterminated line, or nothing when the answer
 * was truncated (finish reason `length` / `max_tokens`), because that line is cut mid-item.
 */
export class LineSplitter {
  private buffer = "";

  push(delta: string): string[] {
    this.buffer += delta;
    const parts = this.buffer.split("\n");
    this.buffer = parts.pop() ?? "";
    return parts;
  }

  end(opts: { truncated?: boolean } = {}): string[] {
    const rest = this.buffer;
    this.buffer = "";
    return rest.trim() === "" || opts.truncated ? [] : [rest];
  }

  /** The unterminated tail seen so far (for accounting on abort). */
  get pending(): string {
    return this.buffer;
  }
}

/** Streaming item parser: LineSplitter + cleanItemLine. */
export class ItemStreamParser {
  private readonly splitter = new LineSplitter();
  count = 0;

  push(delta: string): string[] {
    return this.clean(this.splitter.push(delta));
  }

  end(opts: { truncated?: boolean } = {}): string[] {
    return this.clean(this.splitter.end(opts));
  }

  private clean(lines: string[]): string[] {
    const items: string[] = [];
    for (const line of lines) {
      const item = cleanItemLine(line);
      if (item !== null) items.push(item);
    }
    this.count += items.length;
    return items;
  }
}
