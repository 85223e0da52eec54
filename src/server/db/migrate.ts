import fs from "node:fs";
import path from "node:path";
import { errorMessage } from "../../lib/errors";

/**
 * Applies prisma/migrations/<name>/migration.sql in name order, each once, recording
 * them in `_igentai_migrations`. Used for both PGlite and a PostgreSQL server because
 * the Prisma CLI's schema engine cannot be downloaded offline.
 */
export type SqlExec = {
  exec(sql: string): Promise<void>;
  query(sql: string): Promise<Array<Record<string, unknown>>>;
};

// Resolved from the working directory: the server and the tests run from the project root
// (a bundled server has no meaningful __dirname).
export const MIGRATIONS_DIR = path.join(process.cwd(), "prisma", "migrations");

export function listMigrations(dir = MIGRATIONS_DIR): Array<{ name: string; sql: string }> {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort()
    .map((name) => ({ name, sql: fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8") }));
}

export async function migrate(db: SqlExec, dir = MIGRATIONS_DIR): Promise<string[]> {
  await db.exec(`CREATE TABLE IF NOT EXISTS "_igentai_migrations" ("name" TEXT PRIMARY KEY, "applied_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP)`);
  const done = new Set((await db.query(`SELECT "name" FROM "_igentai_migrations"`)).map((r) => String(r.name)));
  const applied: string[] = [];
  for (const m of listMigrations(dir)) {
    if (done.has(m.name)) continue;
    const name = m.name.replace(/'/g, "''");
    // One transaction per migration: a failure leaves the database as it was.
    try {
      await db.exec(`BEGIN;\n${m.sql}\nINSERT INTO "_igentai_migrations" ("name") VALUES ('${name}');\nCOMMIT;`);
    } catch (err) {
      await db.exec("ROLLBACK").catch(() => undefined);
      throw new Error(`migration ${m.name} failed: ${errorMessage(err)}`);
    }
    applied.push(m.name);
  }
  return applied;
}
