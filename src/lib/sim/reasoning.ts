import type { Answer } from "./respond";
import type { Rng } from "./prng";
import type { Universe } from "./universe";

/**
 * How a simulated reasoning model shows its thinking:
 * - `think`: inline, `<think>…</think>` before the answer, as DeepSeek-R1 and Qwen3 do when
 *   served by Ollama, vLLM or LM Studio without a reasoning parser (DeepSeek-R1 model card:
 *   "enforce the model to initiate its response with <think>\n"; Qwen3 model card, thinking mode);
 * - `field`: in a separate field, as DeepSeek's API (`reasoning_content`,
 *   api-docs.deepseek.com/guides/reasoning_model) and vLLM's reasoning parsers do on the
 *   OpenAI wire, or a `thinking` content block on the Anthropic wire (extended thinking);
 * - `prefilled`: as `think`, but the chat template wrote the opening `<think>` into the prompt, so
 *   the answer starts with the thinking and carries only `</think>` (DeepSeek-R1's template, as
 *   vLLM serves it without `--reasoning-parser`);
 * - `none`: no reasoning.
 * Reasoning tokens are output tokens: billed, and counted against max_tokens.
 */
export const REASONING_MODES = ["none", "think", "prefilled", "field"] as const;
export type ReasoningMode = (typeof REASONING_MODES)[number];

/** Draft names a reasoning answer lists in its thinking and then rejects. */
export const REASONING_DRAFTS = 5;

/**
 * The thinking before an answer: it brainstorms `REASONING_DRAFTS` real names of the topic
 * that the answer does not contain (known to the model, absent from the answer), as a bullet
 * list a line parser would take for items, then rejects them all.
 */
export function composeReasoning(input: { universe: Universe; known: Uint8Array; answer: Answer; displayTopic: string; rng: Rng }): string {
  const { universe, known, answer, rng } = input;
  const listed = new Set(answer.lines.flatMap((l) => (l.rank === undefined ? [] : [l.rank])));
  const drafts: string[] = [];
  for (let tries = 0; drafts.length < REASONING_DRAFTS && tries < 50 * REASONING_DRAFTS; tries++) {
    const r = rng.int(universe.items.length);
    const name = universe.items[r];
    if (known[r] !== 1 || listed.has(r) || name === undefined) continue;
    listed.add(r);
    drafts.push(name);
  }
  const n = answer.lines.filter((l) => l.kind === "item" || l.kind === "repeat").length;
  return [
    `Okay, the user wants ${n} more ${input.displayTopic}, none of the ones already listed. Let me brainstorm first:`,
    ...drafts.map((d) => `- ${d}`),
    "Hmm, I am not sure about these: some may already be on their list, and one or two may not fit the topic. Better to leave all of them out and give other ones.",
  ].join("\n");
}

/** The thinking as it opens an answer written inline (src/lib/sim/reasoning.ts). */
export function inlineThinking(mode: ReasoningMode, thinking: string): string {
  if (mode === "think") return `<think>\n${thinking}\n</think>\n\n`;
  if (mode === "prefilled") return `${thinking}\n</think>\n\n`;
  return "";
}
