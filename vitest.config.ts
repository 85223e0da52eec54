import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "src/**/*.test.tsx", "test/**/*.test.ts"],
    exclude: ["node_modules", "e2e/**", ".next/**"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests share one pm2 home and the machine has 2 cores.
    fileParallelism: false,
    pool: "forks",
  },
});
