import os from "node:os";
import path from "node:path";
import { defineConfig } from "vitest/config";

// Integration tests run real pm2 in a home of their own (short path: pm2's Unix sockets
// break past ~100 characters), so a user's pm2 is never touched.
const pm2Home = process.env.IGENTAI_TEST_PM2_HOME ?? path.join(os.tmpdir(), `igt-pm2-${process.pid}`);
process.env.IGENTAI_TEST_PM2_HOME = pm2Home; // read by test/global-setup.ts's teardown

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "src/**/*.test.tsx", "test/**/*.test.ts"],
    exclude: ["node_modules", "e2e/**", ".next/**"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests share one pm2 home and the machine has 2 cores.
    fileParallelism: false,
    pool: "forks",
    env: { PM2_HOME: pm2Home, IGENTAI_TEST_PM2_HOME: pm2Home },
    globalSetup: ["test/global-setup.ts"],
  },
});
