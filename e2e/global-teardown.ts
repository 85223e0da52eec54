import fs from "node:fs";
import path from "node:path";
import { killProducers, pm2Kill, recordedServers, stopPid } from "./support/server";

/**
 * Stops every server the run started (gracefully: it stops its producers), then kills any
 * producer still pointing at one of our ports and any pm2 daemon of our PM2_HOMEs.
 */
export default async function globalTeardown(): Promise<void> {
  const dir = process.env.IGENTAI_E2E_DIR;
  if (!dir || !fs.existsSync(dir)) return;
  const servers = recordedServers(dir);
  await Promise.all(servers.map((s) => stopPid(s.pid)));
  const killed = await killProducers(servers.map((s) => s.port));
  if (killed > 0) console.warn(`e2e teardown: killed ${killed} producer process(es) left behind`);
  for (const home of findPm2Homes(dir)) await pm2Kill(home);
  if (!process.env.E2E_KEEP) fs.rmSync(dir, { recursive: true, force: true });
  else console.log(`e2e: kept ${dir}`);
}

function findPm2Homes(dir: string): string[] {
  const out: string[] = [];
  const walk = (p: string, depth: number) => {
    if (depth > 2) return;
    for (const e of fs.readdirSync(p, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      const full = path.join(p, e.name);
      if (e.name === "pm2" || e.name.startsWith("pm2")) out.push(full);
      else walk(full, depth + 1);
    }
  };
  walk(dir, 0);
  return out;
}
