import { EXPLORATIONS, STRATEGIES } from "../lib/run-config";

/** `igentai --help`. */
export const HELP = `igentai: get several LLMs to exhaustively list a topic.

Usage:
  igentai start "<topic>" [-n producers] [-m provider:model[=weight]]... [--request-size N] [-c calls-in-flight]
                          [--strategy ${STRATEGIES.join("|")}] [--exploration ${EXPLORATIONS.join("|")}]
                          [--breakdown-model provider:model] [--max-entries N] [--max-minutes N] [--max-cost USD]
                          [--verify | --no-verify]   check entries with other models (default: on with real keys)
  igentai stop
  igentai resume [runId]   resume a stored run (default: the newest one not running) with its settings
  igentai status [--json]
  igentai watch            live metrics until Ctrl-C
  igentai list             past runs: state, first start, active time, entries, cost
  igentai entries [runId] [--limit N] [--search text] [--branch id]
  igentai tree [runId] [--json]   the run's topic tree: branches, entries, yield, coverage, state
  igentai dupes [runId] [--merged] [--limit N]   possible duplicates (kept apart), or merged candidates
  igentai rejected [runId] [--limit N]   entries verification rejected (not in output.txt), with the opinions
  igentai restore-rejected <seq> [runId]   put a rejected entry back into output.txt
  igentai dupes [runId] --merge-all KIND   merge every open possible duplicate of one kind (its evidence, e.g.
                description, slip, weak-evidence; "judged-same": what the judge called the same; "all")
  igentai dupes [runId] --undo ID,ID,...   restore merges (the ids --merge-all printed)
  igentai merge <seq> <intoSeq> [runId]   merge entry <seq> into the earlier entry <intoSeq> (it leaves output.txt)
  igentai restore <decisionId> [runId]   undo a merge: the merged candidate becomes an entry again
  igentai tree add "<label>" [--under branchId]   add a subtopic by hand to the active run's tree (default: under the root)
  igentai tree pin|prune|unprune <branchId>   pin a branch (always gets calls), prune it (no more calls to it
                          or its subtree), or un-prune a pruned one; the active run's tree
  igentai delete <runId> [--files] [--yes]   delete a stored run from the history (not the active one); asks
                          first unless --yes. Its output/<folder>/ is kept unless --files.
  igentai import <path/to/output.txt> [--topic "<topic>"]   make a stored run from an output.txt whose rows
                          were lost (duplicates and junk are reported, not entered); the topic is read from
                          the folder name when it can be, else --topic. Then: igentai resume <runId>
  igentai serve [-n producers] [-p port]   start the server in the foreground (pm2-runtime)
  igentai db restore [copy] [--list]   bring back a kept copy of the embedded database (the newest,
                          or the one named); the server must be stopped. --list shows the copies.
                          The folder is $IGENTAI_DATA_DIR or the project's data/.

Options:
  --url URL     the server (default $IGENTAI_URL or http://localhost:8080)
  --token T     the server's API token, when it requires one (default $IGENTAI_API_TOKEN)
`;

/** `igentai <command> --help`: that command's usage lines (with their continuations) and the options. */
export function helpFor(command: string): string {
  const usage = HELP.slice(HELP.indexOf("Usage:"), HELP.indexOf("Options:")).split("\n");
  const mine: string[] = [];
  let inside = false;
  for (const line of usage) {
    if (/^ {2}igentai /.test(line)) inside = line.startsWith(`  igentai ${command} `) || line === `  igentai ${command}`;
    else if (!/^ {10,}/.test(line)) inside = false;
    if (inside) mine.push(line);
  }
  if (mine.length === 0) return HELP;
  return `Usage:\n${mine.join("\n")}\n\n${HELP.slice(HELP.indexOf("Options:"))}`;
}
