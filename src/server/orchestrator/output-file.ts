import fs from "node:fs";
import path from "node:path";

/**
 * output/<slug>/output.txt: one accepted entry per line, in acceptance order, always
 * exactly the database's entries. Lines are appended only after the DB commit, so after
 * a crash the file can only be behind the DB, and `reconcile` brings it level.
 */
export class OutputFile {
  private handle: fs.promises.FileHandle | undefined;
  private damaged = false;

  constructor(readonly filePath: string) {}

  static forSlug(outputDir: string, slug: string): OutputFile {
    const dir = path.join(outputDir, slug);
    // The slug is already safe; this guards against a future change breaking that.
    if (path.dirname(path.resolve(dir)) !== path.resolve(outputDir)) throw new Error(`unsafe output folder: ${slug}`);
    return new OutputFile(path.join(dir, "output.txt"));
  }

  /** Makes the file equal to `expected` (the DB's texts in order), rewriting only if needed. */
  async reconcile(expected: readonly string[]): Promise<"ok" | "appended" | "rewritten"> {
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
