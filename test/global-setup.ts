import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

/** Kills the test pm2 daemon (and its processes) after the run: nothing is left behind. */
export default function setup(): () => void {
  return () => {
    const home = process.env.IGENTAI_TEST_PM2_HOME;
    if (!home || !fs.existsSync(home)) return;
    spawnSync(process.execPath, [path.join("node_modules", "pm2", "bin", "pm2"), "kill"], { env: { ...process.env, PM2_HOME: home }, stdio: "ignore", timeout: 30_000 });
    fs.rmSync(home, { recursive: true, force: true });
  };
}
