import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import pg from "pg";
import { PrismaClient } from "../../generated/prisma/client";
import { migrate } from "./migrate";

export type Db = {
  prisma: PrismaClient;
  kind: "pglite" | "postgres";
  /** Where the data lives, for messages (no credentials). */
  location: string;
  close(): Promise<void>;
};

export type DbOptions =
  | { databaseUrl: string }
  /** dataDir: a folder for file-backed PGlite, or "memory://" for an in-memory one. */
  | { dataDir: string };

/**
 * Opens the database and brings its schema up to date. Without DATABASE_URL this is an
 * embedded PGlite under `dataDir`; PGlite allows one process per data directory, so only
 * the server process opens it (producers go through the API).
 */
export async function openDb(opts: DbOptions): Promise<Db> {
  if ("databaseUrl" in opts) {
    const setup = new pg.Client({ connectionString: opts.databaseUrl });
    await setup.connect();
    try {
      await migrate({
        exec: async (sql) => void (await setup.query(sql)).rows,
        query: async (sql) => (await setup.query(sql)).rows,
      });
    } finally {
      await setup.end();
    }
    const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: opts.databaseUrl, max: 8 }) });
    return {
      prisma,
      kind: "postgres",
      location: redactUrl(opts.databaseUrl),
      close: () => prisma.$disconnect(),
    };
  }

  const dir = opts.dataDir === "memory://" ? "memory://" : path.resolve(opts.dataDir, "pglite");
  if (dir !== "memory://") fs.mkdirSync(dir, { recursive: true });
  const lite = await PGlite.create(dir);
  await migrate({
    exec: async (sql) => void (await lite.exec(sql)),
    query: async (sql) => (await lite.query<Record<string, unknown>>(sql)).rows,
  });
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(lite) });
  return {
    prisma,
    kind: "pglite",
    location: dir,
    close: async () => {
      await prisma.$disconnect().catch(() => undefined);
      if (!lite.closed) await lite.close();
    },
  };
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparseable DATABASE_URL)";
  }
}
