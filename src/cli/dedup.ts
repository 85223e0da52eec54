import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { createDedupEngine } from "../lib/dedup";
import { buildAliasPrompt, type AliasRequest } from "../lib/dedup/aliases";
import { buildSelectorPrompt, type SelectorRequest } from "../lib/dedup/judge";
import { dedupLine, dedupLinesJudged, explainLine, formatLine, type LineVerdict, type OutputMode, type SelectorAnswer } from "../lib/dedup/lines";
import { errorMessage } from "../lib/errors";
import { callCostUsd, createPriceTable, parsePriceOverrides } from "../lib/pricing";
import { parseProviderSpec, targetLabel } from "../lib/providers";

const USAGE = `usage: npm run --silent dedup -- [--jsonl] [--explain] [--exact] [--judge provider:model [--topic T]] < candidates.txt

Reads one candidate per line; the first occurrence wins.
  (default)  prints the accepted lines
  --jsonl    prints one object per input line: {"text","unique","duplicateOf"}
  --explain  with --jsonl: adds "key", "kind", "reason" (and "borderline") to each object;
             without: writes "status<TAB>reason<TAB>key<TAB>text<TAB>duplicate-of" per line to stderr
  --exact    canonical-key matches only (no typo / word-order / spacing detection)
  --judge    a line with candidates goes to the LLM judge (a selector: it picks the entry the
             line repeats, or none), batched; a pick merges it ("reason": "judged"). sim:<model>
             uses IGENTAI_SIMULATOR_URL or starts the simulator; openai/anthropic need their key.
             Calls, tokens and cost are reported on stderr. --topic: what the list is about.
  --aliases  with --judge: asks the same model for other names of new entries (40 per call);
             a later line naming one gets that entry as a candidate (never a merge by itself)
Same engine and defaults as the orchestrator (src/lib/dedup).`;

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        jsonl: { type: "boolean" },
        explain: { type: "boolean" },
        exact: { type: "boolean" },
        judge: { type: "string" },
        aliases: { type: "boolean" },
        topic: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (err) {
    process.stderr.write(`${errorMessage(err)}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const mode: OutputMode = values.jsonl ? "jsonl" : "lines";
  const explainToStderr = values.explain === true && mode === "lines";
  // --explain and --judge turn on the borderline band and candidate generation (what a judge sees).
  const wide = values.explain === true || values.judge !== undefined;
  const engine = createDedupEngine({ nearDuplicates: !values.exact, borderline: wide && !values.exact, blocking: wide && !values.exact });
  if (values.judge !== undefined) return runJudged(values.judge, values.topic ?? "names", engine, mode, values.explain === true, values.aliases === true);

  let out: string[] = [];
  let err: string[] = [];
  let pending = 0;
  const flush = async () => {
    if (err.length > 0) process.stderr.write(err.join(""));
    const ok = out.length === 0 || process.stdout.write(out.join(""));
    out = [];
    err = [];
    pending = 0;
    if (!ok) await new Promise<void>((resolve) => process.stdout.once("drain", resolve));
  };

  const input = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of input) {
    const verdict = dedupLine(line, engine);
    const text = formatLine(verdict, mode, values.explain === true);
    if (text !== null) {
      out.push(text, "\n");
      pending += text.length;
    }
    if (explainToStderr) err.push(explainLine(verdict), "\n");
    if (pending > 1 << 16 || err.length > 2048) await flush();
  }
  await flush();
  return 0;
}

/** --judge: reads all lines, judges in batches, then prints (a later verdict can change an earlier line). */
async function runJudged(
  spec: string,
  topic: string,
  engine: ReturnType<typeof createDedupEngine>,
  mode: OutputMode,
  explain: boolean,
  withAliases: boolean,
): Promise<number> {
  let target;
  try {
    target = parseProviderSpec(spec);
  } catch (err) {
    process.stderr.write(`dedup: --judge ${spec}: ${errorMessage(err)}\n`);
    return 2;
  }
  // Imported here: the plain CLI stays free of the SDKs and the server's environment.
  const { serverEnv } = await import("../env");
  const { resolveLlm } = await import("../server/producer/llm/factory");
  const env = serverEnv();
  let simulator: { url: string; close(): Promise<void> } | undefined;
  let simulatorUrl = env.IGENTAI_SIMULATOR_URL;
  if (target.provider === "sim" && simulatorUrl === undefined) {
    const { startSimulator } = await import("../server/simulator");
    simulator = await startSimulator({ params: { latencyScale: 0.01, errorRate500: 0, overloadRate: 0, rateLimits: false } });
    simulatorUrl = simulator.url;
  }
  try {
    const resolved = resolveLlm(target, {
      providers: env.providers,
      simulatorUrl,
      callTimeoutMs: 60_000,
    });
    if ("unavailable" in resolved) {
      process.stderr.write(`dedup: judge unavailable: ${resolved.unavailable}\n`);
      return 2;
    }
    const client = resolved.client;
    const ask = async (prompt: { system: string; user: string }, maxTokens: number): Promise<SelectorAnswer> => {
      const res = await client.stream({ ...prompt, maxTokens, signal: AbortSignal.timeout(60_000), onText: () => undefined });
      return { text: res.text, promptTokens: res.promptTokens, completionTokens: res.completionTokens };
    };
    const select = (request: SelectorRequest) => ask(buildSelectorPrompt(request), 64 + 12 * request.items.length);
    const aliases = withAliases ? (request: AliasRequest) => ask(buildAliasPrompt(request), 64 + 40 * request.entries.length) : undefined;
    const input = createInterface({ input: process.stdin, crlfDelay: Infinity });
    const onError = (err: unknown) => process.stderr.write(`dedup: judge call failed: ${errorMessage(err)}\n`);
    const { verdicts, stats } = await dedupLinesJudged(input, engine, topic, select, onError, aliases);
    const out: string[] = [];
    for (const v of verdicts) {
      const text = formatLine(v, mode, explain);
      if (text !== null) out.push(text, "\n");
      if (explain && mode === "lines") process.stderr.write(`${explainLine(v)}\n`);
    }
    process.stdout.write(out.join(""));
    const entries = verdicts.filter((v: LineVerdict) => v.result.unique).length;
    const cost = callCostUsd(createPriceTable(parsePriceOverrides(env.IGENTAI_PRICES)), {
      ...target,
      promptTokens: stats.promptTokens,
      completionTokens: stats.completionTokens,
    });
    const per1k = (n: number) => (entries === 0 ? 0 : (1000 * n) / entries).toFixed(1);
    process.stderr.write(
      `judge ${targetLabel(target)}: ${stats.calls} calls (${stats.failedCalls} failed), ${stats.items} lines with ${stats.pairs} candidate entries, ${stats.merged} merged; ` +
        (withAliases ? `${stats.aliasCalls} alias calls, ${stats.aliasesSuggested} other names; ` : "") +
        `${stats.promptTokens} + ${stats.completionTokens} tokens, ${cost === null ? "unpriced" : `$${cost.toFixed(4)}`}; ` +
        `per 1,000 entries: ${per1k(stats.calls)} calls, ${per1k(stats.pairs)} candidate pairs${cost === null ? "" : `, $${(entries === 0 ? 0 : (1000 * cost) / entries).toFixed(4)}`}\n`,
    );
    return 0;
  } finally {
    await simulator?.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`dedup: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
