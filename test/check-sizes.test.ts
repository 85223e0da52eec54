import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";

// scripts/check-sizes.js, the size limits `npm run lint` enforces, run as lint runs it.
const SCRIPT = path.join(__dirname, "..", "scripts", "check-sizes.js");
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function check(files: Record<string, string>): { status: number | null; stderr: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "igentai-sizes-"));
  dirs.push(root);
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  }
  const r = spawnSync(process.execPath, [SCRIPT, "--root", root], { encoding: "utf8" });
  return { status: r.status, stderr: r.stderr };
}

const lines = (n: number, line = "export const x = 1;") => `${Array.from({ length: n }, () => line).join("\n")}\n`;
const fn = (name: string, bodyLines: number) => `export function ${name}() {\n${lines(bodyLines - 2, "  console.log(1);")}}\n`;

describe("the size check", () => {
  it("passes files and functions within the limits", () => {
    expect(check({ "src/lib/a.ts": lines(400), "src/server/orchestrator/b.ts": lines(300), "src/lib/c.ts": fn("fits", 150) }).status).toBe(0);
  });

  it.each([
    ["a source file over 400 lines", { "src/lib/big.ts": lines(401) }, "src/lib/big.ts: 401 lines (limit 400)"],
    ["an orchestrator file over 300 lines", { "src/server/orchestrator/big.ts": lines(301) }, "src/server/orchestrator/big.ts: 301 lines (limit 300)"],
    ["a function over 150 lines", { "src/lib/long.ts": fn("tooLong", 151) }, "src/lib/long.ts:tooLong: function of 151 lines (limit 150)"],
    [
      "a method over 150 lines",
      { "src/lib/m.tsx": `export class A {\n  run() {\n${lines(150, "    void 0;")}  }\n}\n` },
      "src/lib/m.tsx:run: function of 152 lines",
    ],
  ])("fails on %s, naming it", (_name, files, message) => {
    const r = check(files);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(message);
  });

  it("skips tests and generated code", () => {
    expect(check({ "src/lib/big.test.ts": lines(900), "src/generated/prisma/client.ts": lines(900) }).status).toBe(0);
  });

  it("passes on this repository, its debt listed", () => {
    const r = spawnSync(process.execPath, [SCRIPT], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});
