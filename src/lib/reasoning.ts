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

const OPEN = /<(think|thinking)>/i;
const TAG_NAMES = ["think", "thinking"] as const;

/** The longest suffix of `text` that could be the start of `tag` (held back until the next delta). */
function partialTagSuffix(text: string, tags: readonly string[]): number {
  const lt = text.lastIndexOf("<");
  if (lt === -1) return 0;
  const tail = text.slice(lt).toLowerCase();
  return tags.some((t) => t.startsWith(tail) && t !== tail) ? text.length - lt : 0;
}

/** Streaming splitter: text deltas in, `{ text, reasoning }` out, tags split across deltas handled. */
export class ReasoningSplitter {
  private buffer = "";
  /** The closing tag while inside a thinking block, else null. */
  private closing: string | null = null;
  /** All reasoning seen so far (inline blocks and reasoning fields alike). */
  reasoning = "";
  /** All answer text seen so far. */
  text = "";

  /** Feeds answer text that may contain `<think>` blocks; returns the answer part that is now certain. */
  push(delta: string): string {
    this.buffer += delta;
    let out = "";
    for (;;) {
      if (this.closing === null) {
        const m = OPEN.exec(this.buffer);
        if (m) {
          out += this.buffer.slice(0, m.index);
          this.buffer = this.buffer.slice(m.index + m[0].length);
          this.closing = `</${m[1]!.toLowerCase()}>`;
          continue;
        }
        const hold = partialTagSuffix(
          this.buffer,
          TAG_NAMES.map((t) => `<${t}>`),
        );
        out += this.buffer.slice(0, this.buffer.length - hold);
        this.buffer = this.buffer.slice(this.buffer.length - hold);
        break;
      }
      const i = this.buffer.toLowerCase().indexOf(this.closing);
      if (i !== -1) {
        this.reasoning += this.buffer.slice(0, i);
        this.buffer = this.buffer.slice(i + this.closing.length);
        this.closing = null;
        continue;
      }
      const hold = partialTagSuffix(this.buffer, [this.closing]);
      this.reasoning += this.buffer.slice(0, this.buffer.length - hold);
      this.buffer = this.buffer.slice(this.buffer.length - hold);
      break;
    }
    this.text += out;
    return out;
  }

  /** Reasoning that arrived in its own field (`reasoning_content`, `reasoning`, Anthropic's thinking blocks). */
  pushReasoning(delta: string): void {
    this.reasoning += delta;
  }

  /** End of the answer: a held-back partial tag is answer text; an unclosed block stays reasoning. */
  end(): string {
    const rest = this.buffer;
    this.buffer = "";
    if (this.closing !== null) {
      this.reasoning += rest;
      return "";
    }
    this.text += rest;
    return rest;
  }

  /** True while inside an unclosed thinking block. */
  get thinking(): boolean {
    return this.closing !== null;
  }
}

/** A whole answer split at once: `{ text, reasoning }`. */
export function splitReasoning(answer: string): { text: string; reasoning: string } {
  const s = new ReasoningSplitter();
  s.push(answer);
  s.end();
  return { text: s.text, reasoning: s.reasoning };
}
