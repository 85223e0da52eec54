/**
 * The simulator's token count: ~4 characters per token, deterministic and cheap. Only needs to
 * be plausible; producers count with a real tokenizer.
 */
export function countTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / 4);
}

/** Per-message framing overhead, as chat formats add role markers around each message. */
export const TOKENS_PER_MESSAGE = 4;
export const TOKENS_PER_PROMPT = 3;

/** Prompt tokens for a list of message texts (system included). */
export function countPromptTokens(messageTexts: readonly string[]): number {
  let total = TOKENS_PER_PROMPT;
  for (const t of messageTexts) total += TOKENS_PER_MESSAGE + countTokens(t);
  return total;
}
