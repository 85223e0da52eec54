import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { DbOptions } from "../../src/server/db/client";

/**
 * The databases integration tests run against: always an in-memory PGlite, plus the
 * PostgreSQL server named by DATABASE_URL when set (CI sets it). Each server test gets
 * a fresh database so runs never see each other's rows.
 */
export function testDatabases(): Array<{ name: string; open: () => Promise<DbOptions> }> {
  const targets: Array<{ name: string; open: () => Promise<DbOptions> }> = [
    // File-backed, so a test can close and reopen it (a simulated server restart).
    { name: "pglite", open: async () => ({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), `igentai-db-${process.pid}-`)) }) },
  ];
  const url = process.env.DATABASE_URL;
  if (url) targets.push({ name: "postgres", open: () => freshDatabase(url) });
  return targets;
}

export async function freshDatabase(baseUrl: string): Promise<DbOptions> {
  const name = `igentai_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  return { databaseUrl: u.toString() };
}
