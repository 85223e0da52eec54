import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { createDedupEngine } from "../lib/dedup";
import { errorMessage } from "../lib/errors";
import { dedupLine, explainLine, formatLine, type OutputMode } from "../lib/dedup/lines";

const USAGE = `usage: npm run --silent dedup -- [--jsonl] [--explain] [--exact] < candidates.txt

Reads one candidate per line; the first occurrence wins.
  (default)  prints the accepted lines
  --jsonl    prints one object per input line: {"text","unique","duplicateOf"}
  --explain  with --jsonl: adds "key", "kind", "reason" (and "borderline") to each object;
             without: writes "status<TAB>reason<TAB>key<TAB>text<TAB>duplicate-of" per line to stderr
  --exact    canonical-key matches only (no typo / word-order / spacing detection)
Same engine and defaults as the orchestrator (src/lib/dedup).`;

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: { jsonl: { type: "boolean" }, explain: { type: "boolean" }, exact: { type: "boolean" }, help: { type: "boolean", short: "h" } },
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
  const engine = createDedupEngine({ nearDuplicates: !values.exact });

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

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`dedup: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
