import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";

// scripts/check-cycles.js, the orchestrator's import-cycle check `npm run lint` runs, run as lint runs it.
const SCRIPT = path.join(__dirname, "..", "scripts", "check-cycles.js");
const DIR = "src/server/orchestrator";
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function check(files: Record<string, string>): { status: number | null; stderr: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "igentai-cycles-"));
  dirs.push(root);
  fs.mkdirSync(path.join(root, DIR), { recursive: true });
  for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(root, DIR, file), text);
  const r = spawnSync(process.execPath, [SCRIPT, "--root", root], { encoding: "utf8" });
  return { status: r.status, stderr: r.stderr };
}

describe("the import-cycle check", () => {
  it("passes imports in one direction, and imports from outside the folder", () => {
    const r = check({
      "a.ts": 'import { b } from "./b";\nimport { x } from "../../lib/x";\nexport const a = b + x;\n',
      "b.ts": 'import type { C } from "./c";\nexport const b: C = 1;\n',
      "c.ts": "export type C = number;\n",
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it.each([
    ["a value import cycle", { "a.ts": 'import { b } from "./b";\n', "b.ts": 'import { a } from "./a";\n' }, "a -> b -> a"],
    ["a type-only cycle", { "a.ts": 'import type { B } from "./b";\n', "b.ts": 'import type { A } from "./a";\n' }, "a -> b -> a"],
    [
      "a cycle through a re-export",
      { "a.ts": 'export { b } from "./b";\n', "b.ts": 'import { c } from "./c";\n', "c.ts": 'import { a } from "./a";\n' },
      "a -> b -> c -> a",
    ],
  ])("fails on %s, naming it", (_name, files, cycle) => {
    const r = check(files);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(cycle);
  });

  it("names a cycle through each module of a tangle", () => {
    const r = check({
      "run.ts": 'import { j } from "./judge";\nimport { t } from "./tree";\n',
      "judge.ts": 'import type { R } from "./run";\n',
      "tree.ts": 'import { v } from "./view";\n',
      "view.ts": 'import type { R } from "./run";\n',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("judge -> run -> judge");
    expect(r.stderr).toContain("tree -> view -> run -> tree");
  });

  it("passes on this repository", () => {
    const r = spawnSync(process.execPath, [SCRIPT], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});
