/**
 * A text as data inside a prompt's tags: one line, at most `max` characters, with no angle
 * brackets that could close the fence (they become ‹ ›). The side calls' prompts (the dedup
 * judge, aliases, verification) put entries the models wrote between tags this way, and say the
 * tags hold data, never instructions.
 */
export function fence(text: string, max: number): string {
  return text
    .replace(/[\r\n\t]+/g, " ")
    .replace(/</g, "‹")
    .replace(/>/g, "›")
    .slice(0, max)
    .trim();
}
