import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { createDedupEngine, dedupLines, explainLine, formatLine } from "./index";

const CLI = resolve(__dirname, "../../cli/dedup.ts");
const INPUT = ["Eiffel Tower", "eiffel tower", "", "Louvre", "Eifel Tower", "Catacombs of Paris", "Paris Catacombs", "!!!", "Louvre Pyramid"];

function runCli(args: string[], input: string): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(process.execPath, ["--import", "tsx", CLI, ...args], { input, encoding: "utf8", cwd: resolve(__dirname, "../../..") });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

describe("dedup lines (the CLI without I/O)", () => {
  it("prints accepted lines, first occurrence wins", () => {
    const out = [...dedupLines(INPUT, createDedupEngine())].map((v) => formatLine(v, "lines", false)).filter((l) => l !== null);
    expect(out).toEqual(["Eiffel Tower", "Louvre", "Catacombs of Paris", "Louvre Pyramid"]);
  });

  it("prints one JSON object per input line with duplicateOf null for new and junk lines", () => {
    const out = [...dedupLines(INPUT, createDedupEngine())].map((v) => JSON.parse(formatLine(v, "jsonl", false)!));
    expect(out).toHaveLength(INPUT.length);
    expect(out[1]).toEqual({ text: "eiffel tower", unique: false, duplicateOf: "Eiffel Tower" });
    expect(out[2]).toEqual({ text: "", unique: false, duplicateOf: null });
    expect(out[4]).toEqual({ text: "Eifel Tower", unique: false, duplicateOf: "Eiffel Tower" });
    expect(out[8]).toEqual({ text: "Louvre Pyramid", unique: true, duplicateOf: null });
  });

  it("explains with key, kind and reason", () => {
    const verdicts = [...dedupLines(INPUT, createDedupEngine())];
    expect(JSON.parse(formatLine(verdicts[6]!, "jsonl", true)!)).toEqual({
      text: "Paris Catacombs",
      unique: false,
      duplicateOf: "Catacombs of Paris",
      key: "paris catacomb",
      kind: "near",
      reason: "word-order",
      candidates: [],
    });
    expect(explainLine(verdicts[4]!)).toBe("dup\tnear/typo\teifel tower\tEifel Tower\tEiffel Tower");
    expect(explainLine(verdicts[7]!)).toBe("junk\texact/empty\t\t!!!\t");
  });
});

describe("npm run dedup", () => {
  it("reads stdin and prints the accepted lines, or JSONL with --jsonl --explain", () => {
    const plain = runCli([], `${INPUT.join("\r\n")}\r\n`);
    expect(plain.status).toBe(0);
    expect(plain.stdout).toBe("Eiffel Tower\nLouvre\nCatacombs of Paris\nLouvre Pyramid\n");

    const jsonl = runCli(["--jsonl", "--explain"], INPUT.join("\n"));
    const rows = jsonl.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(rows.map((r) => r.unique)).toEqual([true, false, false, true, false, true, false, false, true]);
    expect(rows[4]).toMatchObject({ duplicateOf: "Eiffel Tower", kind: "near", reason: "typo" });
  });

  it("writes explanations to stderr in the default mode, and --exact turns near-duplicates off", () => {
    const r = runCli(["--explain", "--exact"], "Eiffel Tower\nEifel Tower\nThe Eiffel Tower\n");
    expect(r.stdout).toBe("Eiffel Tower\nEifel Tower\n");
    expect(
      r.stderr
        .trim()
        .split("\n")
        .map((l) => l.split("\t")[0]),
    ).toEqual(["new", "new", "dup"]);
  });

  it("--explain names the entries a judge would see beyond the key (issue 19's cases)", () => {
    const input = [
      "United States of America",
      "USA",
      "Bolivia",
      "Plurinational State of Bolivia",
      "Canterbury",
      "Canterbury Region",
      "Stewa Rava",
      "Stewa Rava (known for its distinctive style)",
      "Midway Islands",
      "Midway sIlands",
      "Souss-Massa",
      "Souss-aMssa",
      "Shanxi",
      "Shaanxi",
    ];
    const rows = runCli(["--jsonl", "--explain"], input.join("\n"))
      .stdout.trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { text: string; unique: boolean; candidates: string[] });
    expect(rows).toHaveLength(input.length);
    for (let i = 1; i < input.length; i += 2) {
      expect(rows[i]!.unique, input[i]).toBe(true);
      expect(rows[i]!.candidates, input[i]).toContain(input[i - 1]);
    }
    expect(rows[0]!.candidates).toEqual([]);
  });

  it("--judge runs the selector on the simulator and reports calls and cost", () => {
    const r = runCli(["--jsonl", "--judge", "sim:sim-strong", "--topic", "places"], "Fiji\nRepublic of Fiji\nFiji\n");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split("\n")).toHaveLength(3);
    expect(r.stderr).toMatch(/judge sim:sim-strong: 1 calls \(0 failed\), 1 lines with 1 candidate entries/);
    expect(runCli(["--judge", "nope"], "").status).toBe(2);
    // 40 clear new entries make one alias call (the simulator knows no other names for these).
    const words = Array.from({ length: 41 }, (_, i) =>
      createHash("md5")
        .update(String(i))
        .digest("hex")
        .replace(/\d/g, (d) => "ghijklmnop"[Number(d)]!),
    );
    const withAliases = runCli(["--judge", "sim:sim-strong", "--aliases"], words.join("\n"));
    expect(withAliases.stderr).toMatch(/1 alias calls, 0 other names/);
  });

  it("rejects an unknown flag with usage", () => {
    const r = runCli(["--nope"], "");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("usage:");
  });

  it("is the engine the orchestrator uses (same defaults)", () => {
    const out = execFileSync(process.execPath, ["--import", "tsx", CLI, "--jsonl"], { input: "Mediterranean Sea\nMediterranian Sea\n", encoding: "utf8" });
    const engine = createDedupEngine();
    engine.accept("Mediterranean Sea");
    expect(JSON.parse(out.trim().split("\n")[1]!).unique).toBe(engine.check("Mediterranian Sea").unique);
  });
});
