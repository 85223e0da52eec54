import fs from "node:fs";
import path from "node:path";
import { movedAsideName } from "../../lib/slug";

/**
 * output/<slug>/output.txt: one accepted entry per line, in acceptance order, always
 * exactly the database's entries. Lines are appended only after the DB commit, so after
 * a crash the file can only be behind the DB, and `reconcile` brings it level.
 */
export class OutputFile {
  private handle: fs.promises.FileHandle | undefined;
  private damaged = false;
  /** Where the last reconcile kept the lines the database lacked, or null. */
  keptCopy: string | null = null;

  constructor(readonly filePath: string) {}

  static forSlug(outputDir: string, slug: string): OutputFile {
    const dir = path.join(outputDir, slug);
    // The slug is already safe; this guards against a future change breaking that.
    if (path.dirname(path.resolve(dir)) !== path.resolve(outputDir)) throw new Error(`unsafe output folder: ${slug}`);
    return new OutputFile(path.join(dir, "output.txt"));
  }

  /**
   * Makes the file equal to `expected` (the DB's texts in order), rewriting only if needed.
   * With `keepLost`, a file holding lines the database lacks (a database restored from an older
   * copy, rows lost) is first copied to `output.txt.replaced-<UTC time>`, named in `keptCopy`.
   */
  async reconcile(expected: readonly string[], opts: { keepLost?: boolean } = {}): Promise<"ok" | "appended" | "rewritten"> {
    this.keptCopy = null;
    await fs.promises.mkdir(path.dirname(this.filePath), { recursive: true });
    let current: string[] = [];
    try {
      const raw = await fs.promises.readFile(this.filePath, "utf8");
      current = raw === "" ? [] : raw.replace(/\n$/, "").split("\n");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    let outcome: "ok" | "appended" | "rewritten" = "ok";
    const isPrefix = current.length <= expected.length && current.every((line, i) => line === expected[i]);
    if (isPrefix && current.length < expected.length) {
      await fs.promises.appendFile(
        this.filePath,
        expected
          .slice(current.length)
          .map((l) => `${l}\n`)
          .join(""),
      );
      outcome = "appended";
    } else if (!isPrefix) {
      if (opts.keepLost) {
        const known = new Set(expected);
        if (current.some((line) => !known.has(line))) {
          this.keptCopy = `${this.filePath}.replaced-${new Date().toISOString().replace(/[:.]/g, "-")}`;
          await fs.promises.copyFile(this.filePath, this.keptCopy);
        }
      }
      const tmp = `${this.filePath}.tmp-${process.pid}`;
      await fs.promises.writeFile(tmp, expected.map((l) => `${l}\n`).join(""));
      await fs.promises.rename(tmp, this.filePath);
      outcome = "rewritten";
    }
    this.handle = await fs.promises.open(this.filePath, "a");
    return outcome;
  }

  /**
   * Appends lines. After a failed append the file may miss a block or end in a partial
   * line, so the next append rewrites it whole from `all()` (every committed text, these
   * included) instead of appending to a damaged file.
   */
  async append(texts: readonly string[], all: () => readonly string[]): Promise<void> {
    if (texts.length === 0) return;
    if (!this.handle) throw new Error("output file not open (reconcile first)");
    try {
      if (this.damaged) {
        const everything = all();
        await this.handle.close();
        this.handle = undefined;
        const tmp = `${this.filePath}.tmp-${process.pid}`;
        await fs.promises.writeFile(tmp, everything.map((l) => `${l}\n`).join(""));
        await fs.promises.rename(tmp, this.filePath);
        this.handle = await fs.promises.open(this.filePath, "a");
        this.damaged = false;
        return;
      }
      await this.handle.appendFile(texts.map((t) => `${t}\n`).join(""));
    } catch (err) {
      this.damaged = true;
      this.handle ??= await fs.promises.open(this.filePath, "a").catch(() => undefined);
      throw err;
    }
  }

  /**
   * Replaces the file with `all` atomically (temp file, then rename): after an entry is merged
   * away. The caller keeps appends out meanwhile (EntryWriter.exclusive).
   */
  async rewrite(all: readonly string[]): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
    const tmp = `${this.filePath}.tmp-${process.pid}`;
    await fs.promises.writeFile(tmp, all.map((l) => `${l}\n`).join(""));
    await fs.promises.rename(tmp, this.filePath);
    this.handle = await fs.promises.open(this.filePath, "a");
    this.damaged = false;
  }

  async close(): Promise<void> {
    const h = this.handle;
    this.handle = undefined;
    await h?.close();
  }
}

/**
 * Moves output/<slug>/ aside when it holds anything and no stored run owns it (its run was lost
 * with the database, or another server wrote it), so that a new run on the topic never
 * truncates it: a second server on one data folder once overwrote 1,435 lines with 166.
 * Returns the folder it went to, or null when there was nothing to keep.
 */
export async function moveAsideUnowned(outputDir: string, slug: string, now: Date): Promise<string | null> {
  const dir = path.dirname(OutputFile.forSlug(outputDir, slug).filePath);
  let names: string[];
  try {
    names = await fs.promises.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  const onlyAnEmptyFile = names.length === 1 && names[0] === "output.txt" && (await fs.promises.stat(path.join(dir, "output.txt"))).size === 0;
  if (names.length === 0 || onlyAnEmptyFile) return null;
  for (let n = 1; ; n++) {
    const target = path.join(outputDir, `${movedAsideName(slug, now)}${n > 1 ? `-${n}` : ""}`);
    // rename() would replace an empty folder of that name: never reuse one.
    if (fs.existsSync(target)) continue;
    await fs.promises.rename(dir, target);
    return target;
  }
}
