import path from "node:path";

/** Repository root (playwright runs from it, but spawned servers must not depend on that). */
export const ROOT = path.resolve(__dirname, "..", "..");

export const E2E_PORT = Number(process.env.E2E_PORT ?? 8090);

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export const SCREENSHOTS = path.join(ROOT, "e2e", "screenshots");

/** Set by global-setup for the workers: the temp folder of this test run. */
export function e2eDir(): string {
  const dir = process.env.IGENTAI_E2E_DIR;
  if (!dir) throw new Error("IGENTAI_E2E_DIR is not set: run the tests through playwright (global-setup sets it)");
  return dir;
}
