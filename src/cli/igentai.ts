import { spawn } from "node:child_process";
import path from "node:path";
import { parseArgs } from "node:util";
import { createTRPCClient, TRPCClientError } from "@trpc/client";
import type { AppRouter } from "../server/api/root";
import { errorMessage } from "../lib/errors";
import { parseProviderSpec, type ProviderTarget } from "../lib/providers";
import { EXPLORATIONS, STRATEGIES, type Exploration, type StrategyName } from "../lib/run-config";
import { textTable } from "../lib/text-table";
import { treeRows } from "../lib/tree/rows";
import { coverageText } from "../lib/run-view";
import { formatDateTime, formatDuration } from "../app/_lib/format";
import { apiLinks } from "../trpc/links";
import { editCommand, isEditCommand } from "./edit-commands";
import { HELP, helpFor } from "./help";

function fail(message: string): never {
  process.stderr.write(`igentai: ${message}\n`);
  process.exit(2);
}

function client(url: string, token: string | null) {
  return createTRPCClient<AppRouter>({ links: apiLinks({ url: `${url.replace(/\/$/, "")}/api/trpc`, token, batch: false }) });
}

function parseTarget(spec: string): ProviderTarget {
  const [body, weight] = spec.split("=");
  const target = parseProviderSpec(body ?? "");
  if (weight !== undefined) {
    const w = Number(weight);
    if (!Number.isFinite(w) || w < 0) fail(`bad weight in "${spec}"`);
    target.weight = w;
  }
  return target;
}

function int(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) fail(`--${name} must be a number, got "${v}"`);
  return n;
}

const OPTIONS = {
  url: { type: "string" },
  token: { type: "string" },
  producers: { type: "string", short: "n" },
  model: { type: "string", short: "m", multiple: true },
  port: { type: "string", short: "p" },
  "request-size": { type: "string" },
  concurrency: { type: "string", short: "c" },
  strategy: { type: "string" },
  exploration: { type: "string" },
  "breakdown-model": { type: "string" },
  branch: { type: "string" },
  "max-entries": { type: "string" },
  "max-minutes": { type: "string" },
  "max-cost": { type: "string" },
  limit: { type: "string" },
  search: { type: "string" },
  json: { type: "boolean" },
  merged: { type: "boolean" },
  verify: { type: "boolean" },
  "no-verify": { type: "boolean" },
  list: { type: "boolean" },
  "merge-all": { type: "string" },
  undo: { type: "string" },
  help: { type: "boolean", short: "h" },
  files: { type: "boolean" },
  yes: { type: "boolean", short: "y" },
  topic: { type: "string" },
  under: { type: "string" },
} as const;

let serverUrl = process.env.IGENTAI_URL ?? "http://localhost:8080";

type Snapshot = Awaited<ReturnType<ReturnType<typeof client>["topic"]["status"]["query"]>>;

const fmt = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: 2 });

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: OPTIONS });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(command ? helpFor(command) : HELP);
    return;
  }
  serverUrl = values.url ?? serverUrl;
  const api = client(serverUrl, values.token ?? process.env.IGENTAI_API_TOKEN ?? null);

  if (isEditCommand(command, rest[0])) return editCommand(api, command, rest, values);
  switch (command) {
    case "start": {
      const topic = rest.join(" ");
      if (!topic) fail('start needs a topic, e.g. igentai start "Paris attractions"');
      if (values.strategy && !STRATEGIES.includes(values.strategy as StrategyName)) fail(`--strategy must be one of ${STRATEGIES.join(", ")}`);
      if (values.exploration && !EXPLORATIONS.includes(values.exploration as Exploration)) fail(`--exploration must be one of ${EXPLORATIONS.join(", ")}`);
      const breakdownModel = values["breakdown-model"] ? parseProviderSpec(values["breakdown-model"]) : undefined;
      const maxEntries = int(values["max-entries"], "max-entries");
      const maxMinutes = int(values["max-minutes"], "max-minutes");
      const maxCostUsd = int(values["max-cost"], "max-cost");
      const r = await api.topic.start.mutate({
        topic,
        producers: int(values.producers, "producers"),
        providers: values.model?.map(parseTarget),
        requestSize: int(values["request-size"], "request-size"),
        concurrency: int(values.concurrency, "concurrency"),
        strategy: values.strategy as StrategyName | undefined,
        exploration: values.exploration as Exploration | undefined,
        tree: breakdownModel ? { breakdownModel: { provider: breakdownModel.provider, model: breakdownModel.model } } : undefined,
        stop: maxEntries || maxMinutes || maxCostUsd ? { maxEntries, maxMinutes, maxCostUsd } : undefined,
        verify: values.verify ? { enabled: true } : values["no-verify"] ? { enabled: false } : undefined,
      });
      console.log(`${r.resumed ? "resumed" : "started"} run ${r.runId} (${fmt(r.entries)} entries so far)`);
      if (r.movedAside) console.log(`an earlier output folder of this topic, owned by no stored run, was moved to ${r.movedAside}`);
      return;
    }
    case "db": {
      // Local, without a server: the embedded database's folder itself.
      const [sub, name] = rest;
      if (sub !== "restore") fail("usage: igentai db restore [copy] [--list]");
      // Loaded here only: PGlite and Prisma are not needed by the other commands. (The CLI runs as
      // CommonJS through tsx's require hook, where import() of a .ts module fails.)
      const { backupsDir, listBackups, restoreBackup } = require("../server/db/backups") as typeof import("../server/db/backups");
      const { PGLITE_START_PARAMS } = require("../server/db/client") as typeof import("../server/db/client");
      const dataDir = process.env.IGENTAI_DATA_DIR ? path.resolve(process.env.IGENTAI_DATA_DIR) : path.resolve(__dirname, "..", "..", "data");
      if (values.list) {
        const copies = listBackups(dataDir);
        if (copies.length === 0) console.log(`no copy is kept in ${backupsDir(dataDir)}`);
        for (const c of copies) console.log(c);
        return;
      }
      const r = await restoreBackup(dataDir, { name, now: new Date(), startParams: PGLITE_START_PARAMS });
      console.log(`restored ${r.from} into ${path.join(dataDir, "pglite")} (${fmt(r.runs)} runs)`);
      if (r.damagedKeptAs) console.log(`the folder it replaced is kept as ${r.damagedKeptAs}`);
      return;
    }
    case "resume": {
      const runId = rest[0] ?? (await api.topic.list.query({ limit: 200 })).find((r) => !r.active)?.id;
      if (!runId) fail("no stored run to resume (see igentai list)");
      const r = await api.topic.resume.mutate({ runId });
      console.log(`resumed run ${r.runId} (${fmt(r.entries)} entries so far)`);
      return;
    }
    case "stop": {
      const r = await api.topic.stop.mutate();
      console.log(r.stopped ? `stopped run ${r.runId}` : "nothing was running");
      return;
    }
    case "status": {
      const s = await api.topic.status.query();
      if (values.json) {
        console.log(JSON.stringify(s, null, 2));
        return;
      }
      printStatus(s);
      return;
    }
    case "watch": {
      await new Promise<void>((resolve, reject) => {
        const sub = api.metrics.live.subscribe(undefined, {
          onData: ({ data: s }) => {
            const line = s.run
              ? `${new Date(s.at).toLocaleTimeString()} ${s.state} "${s.run.topic}": ${fmt(s.totals.unique)} unique, ${fmt(s.totals.uniqueLastMinute)}/min, ${s.targets.map((t) => `${t.key} ${t.uniqueLastMinute}/min`).join(", ")}`
              : `${new Date(s.at).toLocaleTimeString()} idle`;
            console.log(line);
          },
          onError: reject,
        });
        process.once("SIGINT", () => {
          sub.unsubscribe();
          resolve();
        });
      });
      return;
    }
    case "list": {
      const runs = await api.topic.list.query();
      const rows = runs.map((r) => [
        r.id,
        r.active ? `${r.state} (live)` : r.state,
        formatDateTime(r.firstStartedAt),
        r.firstStartedAt === null ? "–" : formatDuration(r.activeMs),
        fmt(r.totals.unique),
        `$${r.totals.costUsd.toFixed(4)}`,
        r.topic,
      ]);
      const columns = [
        { header: "run" },
        { header: "state" },
        { header: "started" },
        { header: "active", align: "right" as const },
        { header: "entries", align: "right" as const },
        { header: "cost", align: "right" as const },
        { header: "topic" },
      ];
      for (const line of textTable(columns, rows)) console.log(line);
      return;
    }
    case "entries": {
      const runId = rest[0] ?? (await api.topic.status.query()).run?.id;
      if (!runId) fail("no run active; pass a run id (see igentai list)");
      const page = await api.topic.entries.query({
        runId,
        limit: int(values.limit, "limit") ?? 50,
        search: values.search,
        branchId: int(values.branch, "branch"),
      });
      for (const e of page.items) console.log(`${String(e.seq).padStart(7)}  ${e.text}`);
      return;
    }
    case "tree": {
      const runId = rest[0] ?? (await api.topic.status.query()).run?.id;
      if (!runId) fail("no run active; pass a run id (see igentai list)");
      const t = await api.topic.tree.query({ runId });
      if (values.json) {
        console.log(JSON.stringify(t, null, 2));
        return;
      }
      if (t.branches.length === 0) {
        console.log("flat run: no topic tree");
        return;
      }
      const pct = (v: number | null) => (v === null ? "   –" : `${Math.round(v * 100)}%`.padStart(4));
      if (t.coverage) console.log(`coverage ${coverageText(t.coverage)}`);
      console.log(`${"id".padStart(4)}  ${"entries".padStart(7)}  yield  cover  ${"state".padEnd(9)}  branch`);
      for (const b of treeRows(t.branches))
        console.log(
          `${String(b.id).padStart(4)}  ${fmt(b.entries).padStart(7)}  ${pct(b.yield)}   ${pct(b.coverage)}   ${b.state.padEnd(9)}  ${"  ".repeat(b.depth)}${b.label}`,
        );
      return;
    }
    case "dupes": {
      const runId = rest[0] ?? (await api.topic.status.query()).run?.id;
      if (!runId) fail("no run active; pass a run id (see igentai list)");
      if (values["merge-all"] !== undefined) {
        const kind = values["merge-all"];
        const filter = kind === "all" ? {} : kind === "judged-same" ? { verdict: "same" as const } : { reason: kind };
        const r = await api.dedup.mergeMany.mutate({ runId, ...filter, limit: int(values.limit, "limit") ?? 500 });
        for (const m of r.merged) console.log(`${String(m.decisionId).padStart(7)}  ${m.candidate}  ->  ${m.entryText}`);
        console.log(
          `merged ${r.merged.length}, skipped ${r.skipped}${r.merged.length > 0 ? `; undo: igentai dupes ${runId} --undo ${r.merged.map((m) => m.decisionId).join(",")}` : ""}`,
        );
        return;
      }
      if (values.undo !== undefined) {
        const ids = values.undo.split(",").map((v) => int(v.trim(), "undo")!);
        const r = await api.dedup.restoreMany.mutate({ runId, decisionIds: ids });
        for (const x of r.restored) console.log(`#${x.seq} ${x.text}`);
        console.log(`restored ${r.restored.length}, skipped ${r.skipped}`);
        return;
      }
      const page = await api.dedup.review.query({ runId, kind: values.merged ? "merged" : "possible", limit: int(values.limit, "limit") ?? 50 });
      // The decision id is what `dedup.merge`/`restore` and the page refer to.
      const rows = page.items.map((d) => [
        String(d.id),
        d.candidateSeq === null ? "" : `#${d.candidateSeq}`,
        d.candidate,
        values.merged ? "->" : "~",
        `#${d.entrySeq ?? "?"}`,
        d.entryText,
        [d.kind, d.edit ?? d.reason, d.verdict ? `judge: ${d.verdict}` : null].filter(Boolean).join(", "),
      ]);
      const columns = [
        { header: "decision", align: "right" as const },
        { header: "seq", align: "right" as const },
        { header: values.merged ? "merged candidate" : "candidate (kept)" },
        { header: "" },
        { header: "seq", align: "right" as const },
        { header: values.merged ? "into entry" : "similar entry" },
        { header: "why" },
      ];
      if (rows.length === 0) console.log(values.merged ? "no merged candidates" : "no possible duplicates");
      else for (const line of textTable(columns, rows)) console.log(line);
      if (page.judge.calls > 0) console.log(`judge: ${fmt(page.judge.calls)} call(s), ${fmt(page.judge.pairs)} verdicts, $${page.judge.costUsd.toFixed(4)}`);
      if (page.groups.length > 0)
        console.log(`open, by kind: ${page.groups.map((g) => `${g.reason} ${fmt(g.count)}`).join(", ")} (merge all of one kind: --merge-all KIND)`);
      return;
    }
    case "rejected": {
      const runId = rest[0] ?? (await api.topic.status.query()).run?.id;
      if (!runId) fail("no run active; pass a run id (see igentai list)");
      const [page, summary] = await Promise.all([
        api.trust.rejected.query({ runId, limit: int(values.limit, "limit") ?? 50 }),
        api.trust.summary.query({ runId }),
      ]);
      for (const e of page.items) {
        const opinions = e.checks.map((c) => `${c.model}: ${c.opinion}`).join(", ");
        console.log(`${String(e.seq).padStart(7)}  ${e.text}  (by ${e.provider}:${e.model}, ${e.supportModels} model(s); ${opinions})`);
      }
      const c = summary.counts;
      console.log(
        `verified ${fmt(c.verified)}, unverified ${fmt(c.unverified)}, unsure ${fmt(c.unsure)}, rejected ${fmt(c.rejected)}; ` +
          `verification ${summary.verify.calls} call(s), $${summary.verify.costUsd.toFixed(4)}, side calls ${(100 * summary.sideShare).toFixed(1)} % of spend`,
      );
      return;
    }
    case "restore-rejected": {
      const seq = int(rest[0], "seq");
      if (seq === undefined) fail("restore-rejected needs an entry number (see igentai rejected)");
      const runId = rest[1] ?? (await api.topic.status.query()).run?.id;
      if (!runId) fail("no run active; pass a run id (see igentai list)");
      const r = await api.trust.restore.mutate({ runId, seq });
      console.log(`restored #${r.seq} ${r.text}`);
      return;
    }
    case "serve": {
      const root = path.resolve(__dirname, "..", "..");
      const env = { ...process.env };
      if (values.producers) env.IGENTAI_PRODUCERS = values.producers;
      if (values.port) env.PORT = values.port;
      const child = spawn(process.execPath, [path.join(root, "scripts", "start.js")], { stdio: "inherit", env, cwd: root });
      for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => child.kill(sig));
      child.on("exit", (code) => process.exit(code ?? 0));
      return;
    }
    default:
      fail(`unknown command "${command}" (try igentai --help)`);
  }
}

/** `igentai status`: the run's view (the same figures as its row in `igentai list` and the page's header), then its LLMs and producers. */
function printStatus(s: Snapshot): void {
  if (!s.run) {
    console.log("idle: no run active");
    return;
  }
  const t = s.run.totals;
  console.log(
    `${s.state}: "${s.run.topic}" — ${fmt(t.unique)} unique, ${fmt(s.totals.uniqueLastMinute)} in the last minute, ${fmt(t.candidates)} candidates, ${fmt(t.dupExact)} exact duplicates, ${fmt(t.calls)} calls, ${fmt(t.tokens)} tokens, $${t.costUsd.toFixed(4)}`,
  );
  console.log(`  started ${formatDateTime(s.run.firstStartedAt)}, active ${formatDuration(s.run.activeMs)} (whole run, over every stretch)`);
  if (s.run.coverage) console.log(`  coverage ${coverageText(s.run.coverage)}`);
  for (const t of s.targets)
    console.log(
      `  ${t.key.padEnd(28)} ${fmt(t.unique).padStart(8)} unique  ${fmt(t.uniqueLastMinute).padStart(6)}/min  ${fmt(t.calls)} calls  ${fmt(t.failedCalls)} failed`,
    );
  for (const p of s.producers)
    console.log(
      `  ${p.key.padEnd(6)} ${(p.health?.status ?? "?").padEnd(10)} pid ${p.health?.pid ?? "-"}  restarts ${p.health?.restarts ?? 0}  ${p.message ? `${p.message.level}: ${p.message.message}` : ""}`,
    );
}

function refused(err: unknown): boolean {
  for (let e = err as { cause?: unknown; code?: string } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (e.code === "ECONNREFUSED") return true;
  }
  return false;
}

main().catch((err: unknown) => {
  if (refused(err)) fail(`no igentai server at ${serverUrl} (start one with: npm start)`);
  if (err instanceof TRPCClientError) {
    const zod = (err.data as { zodError?: { fieldErrors?: Record<string, string[]> } } | undefined)?.zodError;
    const fields = zod?.fieldErrors ? Object.entries(zod.fieldErrors).map(([k, v]) => `${k}: ${v?.join(", ")}`) : [];
    fail(fields.length > 0 ? fields.join("; ") : err.message);
  }
  fail(errorMessage(err));
});
