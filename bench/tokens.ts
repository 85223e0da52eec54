/**
 * npm run bench:tokens — the producer's token estimate (src/lib/token-count.ts) against the
 * exact o200k_base count of gpt-tokenizer, on real names we did not write (Debian's
 * iso-codes: bench/lib/iso-names.ts) and on real prompts built from them:
 *  - per list: total estimate / exact, share of single entries under-counted, the worst
 *    block of 50 consecutive entries (a prompt's list is a sum, so blocks are what matter);
 *  - per prompt: known-entries lists chosen by buildPrompt with the estimate at several
 *    budgets, then counted exactly: the list never exceeds the budget;
 *  - memory: RSS of a bare node process, with gpt-tokenizer loaded and used, with the estimate.
 * Figures go to bench/results/tokens.json.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { countTokens } from "gpt-tokenizer";
import { buildPrompt, KnownEntries } from "../src/lib/prompt";
import { estimateTokens } from "../src/lib/token-count";
import { isoNameLists } from "./lib/iso-names";

const BLOCK = 50;
const BUDGETS = [200, 1_000, 4_000];

function listFigures(names: string[]) {
  let exact = 0;
  let estimate = 0;
  let under = 0;
  for (const n of names) {
    const e = countTokens(n);
    const g = estimateTokens(n);
    exact += e;
    estimate += g;
    if (g < e) under++;
  }
  let worstBlock = Number.POSITIVE_INFINITY;
  for (let i = 0; i + BLOCK <= names.length; i += BLOCK) {
    const block = names.slice(i, i + BLOCK);
    const e = block.reduce((s, n) => s + countTokens(n) + 1, 0);
    const g = block.reduce((s, n) => s + estimateTokens(n) + 1, 0);
    worstBlock = Math.min(worstBlock, g / e);
  }
  return {
    names: names.length,
    exact,
    estimate,
    ratio: round(estimate / exact),
    underCountedEntries: round(under / names.length),
    worstBlockRatio: round(worstBlock),
  };
}

/** Lists chosen within a budget by the estimate, then counted exactly. */
function promptFigures(topic: string, names: string[]) {
  const known = new KnownEntries();
  names.forEach((n, i) => known.add(i + 1, n));
  return BUDGETS.map((budget) => {
    const p = buildPrompt({ topic, requestSize: 100, known, budgetTokens: budget });
    const m = /<known_entries>\n([\s\S]*?)<\/known_entries>/.exec(p.user);
    const shown = (m?.[1] ?? "").split("\n").filter((l) => l !== "");
    const exactList = shown.reduce((s, n) => s + countTokens(n) + 1, 0);
    const exactPrompt = countTokens(p.system) + countTokens(p.user) + 8;
    return {
      budget,
      shown: shown.length,
      exactListTokens: exactList,
      withinBudget: exactList <= budget,
      promptTokensEstimated: p.promptTokens,
      promptTokensExact: exactPrompt,
    };
  });
}

function rssMb(code: string): number {
  const out = execFileSync(process.execPath, ["--import", "tsx", "-e", `${code};console.log(process.memoryUsage().rss)`], {
    cwd: path.join(__dirname, ".."),
    encoding: "utf8",
  });
  return round(Number(out.trim().split("\n").pop()) / 1e6, 1);
}

function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function main() {
  const lists = isoNameLists();
  if (Object.keys(lists).length === 0) throw new Error("no iso-codes data: apt-get install iso-codes");
  const perList: Record<string, ReturnType<typeof listFigures>> = {};
  for (const [name, names] of Object.entries(lists)) perList[name] = listFigures(names);
  const all = Object.values(lists).flat();
  const overall = listFigures(all);
  const prompts = Object.fromEntries(Object.entries(lists).map(([name, names]) => [name, promptFigures(name, names)]));
  const everyPromptWithinBudget = Object.values(prompts).every((ps) => ps.every((p) => p.withinBudget));
  const memory = {
    bareNodeMb: rssMb("0"),
    gptTokenizerMb: rssMb(`require("gpt-tokenizer").countTokens("Sant Julià de Lòria")`),
    estimateMb: rssMb(`require("./src/lib/token-count.ts").estimateTokens("Sant Julià de Lòria")`),
  };

  console.log(`list                  names   exact  estimate  ratio  under  worst${BLOCK}`);
  for (const [name, f] of [...Object.entries(perList), ["ALL", overall] as const]) {
    console.log(
      `${name.padEnd(20)} ${String(f.names).padStart(6)} ${String(f.exact).padStart(7)} ${String(f.estimate).padStart(9)} ${f.ratio.toFixed(2).padStart(6)} ${(f.underCountedEntries * 100).toFixed(1).padStart(5)}% ${f.worstBlockRatio.toFixed(2).padStart(7)}`,
    );
  }
  console.log(`every known-entries list within its budget by the exact count: ${everyPromptWithinBudget}`);
  console.log(`RSS (node --import tsx): bare ${memory.bareNodeMb} MB, gpt-tokenizer ${memory.gptTokenizerMb} MB, estimate ${memory.estimateMb} MB`);

  const file = path.join(__dirname, "results", "tokens.json");
  fs.writeFileSync(
    file,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        source: "Debian iso-codes (/usr/share/iso-codes, /usr/share/locale/*/LC_MESSAGES/iso_3166-1.mo)",
        block: BLOCK,
        overall,
        perList,
        prompts,
        everyPromptWithinBudget,
        memory,
      },
      null,
      2,
    ) + "\n",
  );
  console.log(`written ${path.relative(process.cwd(), file)}`);
}

main();
