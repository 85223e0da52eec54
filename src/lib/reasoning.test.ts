import { describe, expect, it } from "vitest";
import { ReasoningSplitter, splitReasoning } from "./reasoning";

const CASES: Array<[string, string, { text: string; reasoning: string }]> = [
  ["no thinking", "Paris\nLyon\n", { text: "Paris\nLyon\n", reasoning: "" }],
  ["a leading block (DeepSeek-R1, Qwen3)", "<think>\n- Nice\n- Metz\n</think>\n\nParis\nLyon", { text: "\n\nParis\nLyon", reasoning: "\n- Nice\n- Metz\n" }],
  ["an unclosed block (cut by max_tokens)", "<think>\nmaybe Nice, Metz", { text: "", reasoning: "\nmaybe Nice, Metz" }],
  ["<thinking> and upper case", "<THINKING>x</THINKING>Paris", { text: "Paris", reasoning: "x" }],
  ["two blocks", "<think>a</think>Paris\n<think>b</think>Lyon", { text: "Paris\nLyon", reasoning: "ab" }],
  ["a lone < and other tags are text", "a < b\n<b>Bold</b>\n<thin", { text: "a < b\n<b>Bold</b>\n<thin", reasoning: "" }],
];

describe("reasoning text", () => {
  it.each(CASES)("splits %s", (_name, answer, expected) => {
    expect(splitReasoning(answer)).toEqual(expected);
  });

  it.each(CASES)("splits %s the same when streamed in pieces of any size", (_name, answer, expected) => {
    for (const size of [1, 2, 3, 5, 8]) {
      const s = new ReasoningSplitter();
      let out = "";
      for (let i = 0; i < answer.length; i += size) out += s.push(answer.slice(i, i + size));
      out += s.end();
      expect({ text: out, reasoning: s.reasoning }).toEqual(expected);
      expect(s.text).toBe(expected.text);
    }
  });

  it("a </think> without its <think> (the template opened it) makes what is unsent before it reasoning", () => {
    expect(splitReasoning("- Nice\n- Metz\n</think>\n\nParis")).toEqual({ text: "\n\nParis", reasoning: "- Nice\n- Metz\n" });
    // Streamed, the lines before it are gone already; the splitter says the next answers start inside.
    const s = new ReasoningSplitter();
    expect(s.push("- Nice\n")).toBe("- Nice\n");
    expect(s.push("- Metz\n</thi")).toBe("- Metz\n");
    expect(s.push("nk>\nParis\n")).toBe("\nParis\n");
    s.end();
    expect(s.answersStartInside).toBe(true);
  });

  it.each([
    ["closes its block", ["- Nice\n</th", "ink>\nParis\n"], false, { text: "\nParis\n", reasoning: "- Nice\n", inside: true }],
    ["never thinks: all of it is the answer, at the end", ["Paris\n", "Lyon\n"], false, { text: "Paris\nLyon\n", reasoning: "", inside: false }],
    ["is cut while thinking: it stays reasoning", ["- Nice\n", "- Me"], true, { text: "", reasoning: "- Nice\n- Me", inside: true }],
  ])("an answer started inside that %s", (_name, pieces, truncated, expected) => {
    const s = new ReasoningSplitter({ inside: true });
    let out = "";
    for (const p of pieces) out += s.push(p);
    out += s.end({ truncated });
    expect({ text: out, reasoning: s.reasoning, inside: s.answersStartInside }).toEqual(expected);
  });

  it("adds reasoning that arrives in its own field", () => {
    const s = new ReasoningSplitter();
    s.pushReasoning("drafts: Nice");
    expect(s.push("Paris\n")).toBe("Paris\n");
    expect(s.end()).toBe("");
    expect(s.reasoning).toBe("drafts: Nice");
  });
});
