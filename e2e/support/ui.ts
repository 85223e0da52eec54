import { expect, type Locator, type Page, test } from "@playwright/test";
import path from "node:path";
import { SCREENSHOTS } from "./env";

/** The integer a stat tile shows ("1,234" -> 1234); NaN for a dash. */
export async function statValue(page: Page, id: string): Promise<number> {
  const text = (await page.getByTestId(`stat-${id}`).locator("dd.num").textContent()) ?? "";
  const digits = text.replace(/[^0-9]/g, "");
  return digits === "" ? Number.NaN : Number(digits);
}

/** Waits until a stat tile shows more than `than`, and returns the value. */
export async function waitForStatAbove(page: Page, id: string, than: number, timeout = 60_000): Promise<number> {
  let value = Number.NaN;
  await expect
    .poll(
      async () => {
        value = await statValue(page, id);
        return value;
      },
      { timeout, message: `stat ${id} should rise above ${than}` },
    )
    .toBeGreaterThan(than);
  return value;
}

export async function chartPoints(charts: Locator): Promise<number> {
  return Number((await charts.getAttribute("data-points")) ?? "0");
}

export async function expectConnection(page: Page, state: "live" | "reconnecting" | "connecting", timeout = 30_000): Promise<void> {
  await expect(page.getByTestId("connection")).toHaveAttribute("data-state", state, { timeout });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: "disabled" });
  return file;
}

/** A topic nobody else used in this database: each test gets a fresh run, not a resume. */
export function uniqueTopic(base: string): string {
  return `${base} ${Date.now().toString(36)}`;
}

/**
 * Uncaught exceptions and console errors in the page fail the spec's tests (HTTP 4xx of a
 * rejected request are expected: "Failed to load resource" is not counted). Call at the top
 * of a spec file.
 */
export function failOnBrowserErrors(): void {
  let pageErrors: string[] = [];
  test.beforeEach(({ page }) => {
    pageErrors = [];
    page.on("pageerror", (err) => pageErrors.push(err.message));
    page.on("console", (msg) => {
      if (msg.type() === "error" && !/Failed to load resource/.test(msg.text())) pageErrors.push(msg.text());
    });
  });
  test.afterEach(() => {
    expect(pageErrors, "errors in the browser console").toEqual([]);
  });
}
