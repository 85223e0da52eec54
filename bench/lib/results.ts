import fs from "node:fs";
import path from "node:path";

/** Writes a benchmark's figures to bench/results/<name>.json (2-space JSON, final newline) and says where. */
export function writeResults(name: string, figures: unknown): void {
  const file = path.join(__dirname, "..", "results", `${name}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(figures, null, 2)}\n`);
  console.log(`written to ${path.relative(process.cwd(), file)}`);
}
