import fs from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline/promises";
import type { createTRPCClient } from "@trpc/client";
import type { AppRouter } from "../server/api/root";
import { formatInt } from "../app/_lib/format";
import { importChunks, topicOfFolder } from "../lib/import-file";

// The CLI's commands that change things beside a run's start and stop (issue 20): a merge and
// its undo, hand edits of the topic tree, deleting a stored run, importing one from output.txt.
// A bad argument throws an Error naming it; igentai.ts prints it and exits with code 2.

type Api = ReturnType<typeof createTRPCClient<AppRouter>>;
export type EditOptions = { files?: boolean | undefined; yes?: boolean | undefined; topic?: string | undefined; under?: string | undefined };

const TREE_EDITS = ["add", "pin", "prune", "unprune"] as const;

/** Whether `command` (with its first argument) is one of these. */
export function isEditCommand(command: string, first: string | undefined): boolean {
  return ["merge", "restore", "delete", "import"].includes(command) || (command === "tree" && TREE_EDITS.includes(first as never));
}

/** A whole number >= min from a positional argument, or an Error naming it. */
function wholeNumber(v: string | undefined, name: string, min = 1): number {
  if (v === undefined) throw new Error(`missing <${name}> (see igentai --help)`);
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < min) throw new Error(`<${name}> must be a whole number >= ${min}, got "${v}"`);
  return n;
}

/** The run a command acts on: the one named, else the active one. */
async function runOf(api: Api, named: string | undefined): Promise<string> {
  const runId = named ?? (await api.topic.status.query()).run?.id;
  if (!runId) throw new Error("no run active; pass a run id (see igentai list)");
  return runId;
}

export async function editCommand(api: Api, command: string, args: string[], o: EditOptions): Promise<void> {
  switch (command) {
    case "merge": {
      const seq = wholeNumber(args[0], "seq");
      const intoSeq = wholeNumber(args[1], "intoSeq");
      const r = await api.dedup.merge.mutate({ runId: await runOf(api, args[2]), seq, intoSeq });
      console.log(`merged entry #${r.removedSeq} into #${r.intoSeq} (decision ${r.decisionId}; undo: igentai restore ${r.decisionId})`);
      return;
    }
    case "restore": {
      const decisionId = wholeNumber(args[0], "decisionId");
      const r = await api.dedup.restore.mutate({ runId: await runOf(api, args[1]), decisionId });
      console.log(`restored "${r.text}" as entry #${r.seq}`);
      return;
    }
    case "tree":
      return treeEdit(api, args, o);
    case "delete":
      return deleteRun(api, args[0], o);
    case "import":
      return importFile(api, args[0], o);
  }
}

/** `tree add <label> [--under id]`, `tree pin|prune|unprune <branchId>`: the active run's tree. */
async function treeEdit(api: Api, args: string[], o: EditOptions): Promise<void> {
  const [edit, ...rest] = args;
  if (edit === "add") {
    const label = rest.join(" ").trim();
    if (!label) throw new Error('tree add needs a label, e.g. igentai tree add "Rivers of Asia" --under 3');
    const parentId = o.under === undefined ? 0 : wholeNumber(o.under, "--under", 0);
    const b = await api.topic.addBranch.mutate({ runId: await runOf(api, undefined), parentId, label });
    console.log(`added branch ${b.id} "${b.label}" under ${b.parentId}`);
    return;
  }
  const branchId = wholeNumber(rest[0], "branchId", 0);
  const call = edit === "pin" ? api.topic.pinBranch : edit === "prune" ? api.topic.pruneBranch : api.topic.unpruneBranch;
  const b = await call.mutate({ runId: await runOf(api, undefined), branchId });
  console.log(`branch ${b.id} "${b.label}" is ${b.state}`);
}

/** Asks on the terminal (or reads the answer piped in); true only for y/yes. */
async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const closed = new Promise<string>((resolve) => rl.once("close", () => resolve("")));
  try {
    const answer = await Promise.race([rl.question(`${question} [y/N] `), closed]);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

async function deleteRun(api: Api, runId: string | undefined, o: EditOptions): Promise<void> {
  if (!runId) throw new Error("delete needs a run id (see igentai list)");
  const run = (await api.topic.list.query({ limit: 200 })).find((r) => r.id === runId);
  if (!run) throw new Error(`no run ${runId} (see igentai list)`);
  const files = o.files === true;
  const what = `run ${run.id} "${run.topic}" (${formatInt(run.totals.unique)} entries)${files ? " and its output folder" : "; its output.txt is kept"}`;
  if (!o.yes && !(await confirm(`Delete ${what}?`))) {
    process.stderr.write("igentai: not deleted\n");
    process.exitCode = 1;
    return;
  }
  const r = await api.topic.deleteRun.mutate({ runId, files });
  console.log(`deleted run ${r.runId} "${r.topic}" (${formatInt(r.entries)} entries); ${r.folder} ${r.folderDeleted ? "deleted" : "kept"}`);
}

async function importFile(api: Api, file: string | undefined, o: EditOptions): Promise<void> {
  if (!file) throw new Error("import needs the path of an output.txt");
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`<path>: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const folder = path.basename(path.dirname(path.resolve(file)));
  const topic = o.topic ?? topicOfFolder(folder);
  if (!topic) throw new Error(`--topic: the folder name "${folder}" does not tell the topic exactly; pass --topic "<topic>"`);
  const chunks = importChunks(text);
  if (chunks.length === 0) throw new Error(`<path>: ${file} has no lines`);
  let runId: string | undefined;
  const sum = { lines: 0, entries: 0, exactDuplicates: 0, merged: 0, keptApart: 0, junk: 0 };
  const setAside: string[] = [];
  let keptCopy: string | null = null;
  for (const lines of chunks) {
    const r = await api.topic.importRun.mutate({ topic, lines, source: `${folder}/${path.basename(file)}`.slice(0, 200), runId });
    runId = r.runId;
    for (const k of Object.keys(sum) as Array<keyof typeof sum>) sum[k] += r[k];
    keptCopy ??= r.keptCopy;
    for (const s of r.setAside)
      setAside.push(
        `  "${s.line}": ${s.outcome === "junk" ? `junk (${s.reason})` : `${s.outcome === "dupExact" ? "duplicate" : "merged into"} "${s.duplicateOf}"`}`,
      );
  }
  console.log(
    `imported run ${runId} "${topic}": ${formatInt(sum.entries)} entries from ${formatInt(sum.lines)} lines; set aside ${formatInt(sum.exactDuplicates)} duplicate(s), ` +
      `${formatInt(sum.merged)} merged into an earlier line (undo: igentai restore), ${formatInt(sum.junk)} junk; ${formatInt(sum.keptApart)} close pair(s) kept apart for review (igentai dupes ${runId})`,
  );
  for (const line of setAside.slice(0, 20)) console.log(line);
  if (setAside.length > 20) console.log(`  … and ${formatInt(setAside.length - 20)} more`);
  if (keptCopy) console.log(`the folder's previous output.txt held lines that are not entries: kept as ${keptCopy}`);
  console.log(`continue it with: igentai resume ${runId}`);
}
