/**
 * Reasoning ("thinking") text in a model's answer, kept apart from the answer itself.
 *
 * Open-weight reasoning models write their chain of thought inline, between `<think>` and
 * `</think>`, before the answer: DeepSeek-R1 ("the reasoning content … enclosed within
 * <think> </think> tags", DeepSeek-R1 model card) and Qwen3 in thinking mode (Qwen3 model
 * card, "Switching Between Thinking and Non-Thinking Mode"), as Ollama, vLLM and LM Studio
 * serve them without a reasoning parser. An answer cut by max_tokens may end inside the
 * block, unclosed. (Servers with a reasoning parser, and DeepSeek's own API, send it in a
 * separate `reasoning_content` / `reasoning` field instead: the SDK clients route that field
 * to the same reasoning text.)
 *
 * A draft list inside the thinking must never become entries, and its lines are not junk
 * the model "answered": they are dropped before parsing, but their tokens are paid for.
 */

/** An opening or closing thinking tag. */
const TAG = /<(\/?)(think|thinking)>/i;
const TAGS = ["<think>", "<thinking>", "</think>", "</thinking>"];

/** The longest suffix of `text` that could be the start of one of `tags` (held back until the next delta). */
function partialTagSuffix(text: string, tags: readonly string[]): number {
  const lt = text.lastIndexOf("<");
  if (lt === -1) return 0;
  const tail = text.slice(lt).toLowerCase();
  return tags.some((t) => t.startsWith(tail) && t !== tail) ? text.length - lt : 0;
}

/**
 * Streaming splitter: text deltas in, `{ text, reasoning }` out, tags split across deltas handled.
 *
 * Some chat templates write the opening `<think>` into the prompt (DeepSeek-R1's, served by vLLM
 * without a reasoning parser), so the answer starts inside the block and carries only `</think>`.
 * Such a closing tag without an opener (`orphanClose`) makes what is still unsent before it
 * reasoning; lines sent already cannot be taken back, so the SDK client learns from it and
 * starts the model's next answers `inside`. An answer started inside that never closes and was
 * not cut is an answer without thinking after all: end() hands it all over as text.
 */
export class ReasoningSplitter {
  private buffer = "";
  /** The closing tag while inside a thinking block, else null. */
  private closing: string | null;
  private readonly startedInside: boolean;
  private closedOnce = false;
  private endedTruncated = false;
  private fieldReasoning = "";
  private inlineReasoning = "";
  /** All answer text seen so far. */
  text = "";
  /** A `</think>` came without its `<think>`. */
  private orphanClose = false;

  constructor(opts: { inside?: boolean } = {}) {
    this.startedInside = opts.inside === true;
    this.closing = this.startedInside ? "</think>" : null;
  }

  /** All reasoning seen so far (inline blocks and reasoning fields alike). */
  get reasoning(): string {
    return this.fieldReasoning + this.inlineReasoning;
  }

  /** Feeds answer text that may contain `<think>` blocks; returns the answer part that is now certain. */
  push(delta: string): string {
    this.buffer += delta;
    let out = "";
    for (;;) {
      if (this.closing === null) {
        const m = TAG.exec(this.buffer);
        if (m) {
          const before = this.buffer.slice(0, m.index);
          this.buffer = this.buffer.slice(m.index + m[0].length);
          if (m[1] === "/") {
            this.inlineReasoning += before;
            this.orphanClose = true;
          } else {
            out += before;
            this.closing = `</${m[2]!.toLowerCase()}>`;
          }
          continue;
        }
        const hold = partialTagSuffix(this.buffer, TAGS);
        out += this.buffer.slice(0, this.buffer.length - hold);
        this.buffer = this.buffer.slice(this.buffer.length - hold);
        break;
      }
      const i = this.buffer.toLowerCase().indexOf(this.closing);
      if (i !== -1) {
        this.inlineReasoning += this.buffer.slice(0, i);
        this.buffer = this.buffer.slice(i + this.closing.length);
        this.closing = null;
        this.closedOnce = true;
        continue;
      }
      const hold = partialTagSuffix(this.buffer, [this.closing]);
      this.inlineReasoning += this.buffer.slice(0, this.buffer.length - hold);
      this.buffer = this.buffer.slice(this.buffer.length - hold);
      break;
    }
    this.text += out;
    return out;
  }

  /** Reasoning that arrived in its own field (`reasoning_content`, `reasoning`, Anthropic's thinking blocks). */
  pushReasoning(delta: string): void {
    this.fieldReasoning += delta;
  }

  /**
   * End of the answer; returns the answer text that is certain only now. A held-back partial
   * tag is text; an unclosed block stays reasoning (a cut answer), unless the answer was
   * started inside, never closed and not `truncated`: then it had no thinking, and is text.
   */
  end(opts: { truncated?: boolean } = {}): string {
    this.endedTruncated = opts.truncated === true;
    let rest = this.buffer;
    this.buffer = "";
    if (this.closing !== null) {
      if (!this.startedInside || this.closedOnce || opts.truncated) {
        this.inlineReasoning += rest;
        return "";
      }
      rest = this.inlineReasoning + rest;
      this.inlineReasoning = "";
      this.closing = null;
    }
    this.text += rest;
    return rest;
  }

  /** After end(): whether the model's next answers should start inside a thinking block (see the class comment). */
  get answersStartInside(): boolean {
    return this.orphanClose || (this.startedInside && (this.closedOnce || this.endedTruncated));
  }
}

/** A whole answer split at once: `{ text, reasoning }`. */
export function splitReasoning(answer: string): { text: string; reasoning: string } {
  const s = new ReasoningSplitter();
  s.push(answer);
  s.end();
  return { text: s.text, reasoning: s.reasoning };
}
