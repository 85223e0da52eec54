import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll } from "vitest";
import type { SimParamsOverride } from "../../src/lib/sim/params";
import { itemKey } from "../../src/lib/sim/universe";
import { startSimulator, type SimulatorHandle } from "../../src/server/simulator";

/** Test helpers: simulators that are closed after the file, SDK clients, prompts, answer analysis. */

const open = new Set<SimulatorHandle>();

afterAll(async () => {
  const left = open.size;
  await Promise.all([...open].map((s) => s.close()));
  open.clear();
  if (left > 0) throw new Error(`${left} simulator(s) left running by the tests`);
});

/** A simulator with no latency, no random faults and no rate limits unless `params` say otherwise. */
export async function startTestSimulator(params: SimParamsOverride = {}): Promise<SimulatorHandle & { stop(): Promise<void> }> {
  const sim = await startSimulator({ params: { latencyScale: 0, errorRate500: 0, overloadRate: 0, rateLimits: false, ...params } });
  open.add(sim);
  return {
    ...sim,
    async stop() {
      await sim.close();
      open.delete(sim);
    },
  };
}

export function openaiClient(url: string, opts: { maxRetries?: number; apiKey?: string } = {}): OpenAI {
  return new OpenAI({ apiKey: opts.apiKey ?? "sk-test", baseURL: `${url}/v1`, maxRetries: opts.maxRetries ?? 0 });
}

export function anthropicClient(url: string, opts: { maxRetries?: number; apiKey?: string } = {}): Anthropic {
  return new Anthropic({ apiKey: opts.apiKey ?? "sk-ant-test", baseURL: url, maxRetries: opts.maxRetries ?? 0 });
}

/** The producers' prompt format. */
export function listPrompt(topic: string, known: readonly string[] = [], requestSize = 50, padding = ""): string {
  return [
    "You list distinct items on a topic, one per line, no commentary.",
    `<topic>${topic}</topic>`,
    "Do not repeat any of these previous entries:",
    `<known_entries>\n${known.join("\n")}\n</known_entries>`,
    padding,
    `<request_size>${requestSize}</request_size>`,
  ].join("\n");
}

export function simParamsHeader(params: SimParamsOverride): { "x-sim-params": string } {
  return { "x-sim-params": JSON.stringify(params) };
}

export interface UniverseTruth {
  size: number;
  items: string[];
  rankOf: Map<string, number>;
}

export async function fetchUniverse(url: string, topic: string): Promise<UniverseTruth> {
  const res = await fetch(`${url}/sim/universe?items=1&topic=${encodeURIComponent(topic)}`);
  const body = (await res.json()) as { size: number; items: string[] };
  return { size: body.size, items: body.items, rankOf: new Map(body.items.map((it, r) => [itemKey(it), r])) };
}

export interface AnswerTally {
  /** Universe ranks of the on-topic lines, in order. */
  ranks: number[];
  /** Lines that are not universe items (junk, preambles, sign-offs). */
  other: string[];
}

/** Classifies each non-empty line of an answer against the universe. */
export function tally(text: string, truth: UniverseTruth): AnswerTally {
  const ranks: number[] = [];
  const other: string[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const r = truth.rankOf.get(itemKey(line.replace(/^\s*\d{1,3}[.)]\s+/, "")));
    if (r === undefined) other.push(line);
    else ranks.push(r);
  }
  return { ranks, other };
}

export async function chatText(client: OpenAI, model: string, prompt: string, headers: Record<string, string> = {}): Promise<string> {
  const r = await client.chat.completions.create({ model, messages: [{ role: "user", content: prompt }] }, { headers });
  return r.choices[0]?.message.content ?? "";
}
