import { expect, test, type Page } from "@playwright/test";
import { formatDateTime, formatDuration, formatElapsed } from "../src/app/_lib/format";
import { expectConnection, screenshot, statValue, uniqueTopic, waitForStatAbove } from "./support/ui";

/**
 * One truth for a run across resumes, on the page: after a stop and two resumes (the tree on,
 * as by default, and the judge), the history shows the run's first start and its active time
 * over the three stretches, and its totals are the page header's, at every moment.
 */
const JSON_HEADERS = { "content-type": "application/json" };

type ListedRun = { id: string; firstStartedAt: number | null; activeMs: number; stretches: unknown[]; totals: { unique: number; costUsd: number } };

/** The header's and the history row's figures, read in one go (one rendered moment). */
function readBoth(page: Page, runId: string) {
  return page.evaluate((id) => {
    const text = (sel: string) => document.querySelector(sel)?.textContent?.trim() ?? "";
    const row = `[data-testid="history-run"][data-run-id="${id}"]`;
    return {
      headerUnique: text('[data-testid="stat-unique"] dd.num'),
      headerCost: text('[data-testid="stat-cost"] dd.num'),
      historyEntries: text(`${row} [data-testid="history-entries"]`).replace(/ entries$/, ""),
      historyCost: text(`${row} [data-testid="history-cost"]`),
    };
  }, runId);
}

test("after a stop and two resumes the history shows the first start, the active time and the header's totals", async ({ page, request }) => {
  // Three stretches of a real run on a shared machine: well over the default 3 minutes.
  test.setTimeout(480_000);
  const topic = uniqueTopic("Rivers of Europe");
  // The form has no switch for the judge: the run is started over the API, as the CLI does.
  const start = await request.post("/api/trpc/topic.start", {
    data: { topic, producers: 2, requestSize: 40, judge: { enabled: true } },
    headers: JSON_HEADERS,
  });
  expect(start.status(), await start.text()).toBe(200);
  const { runId } = ((await start.json()) as { result: { data: { runId: string } } }).result.data;

  await page.goto("/");
  await expectConnection(page, "live");
  await expect(page.getByTestId("run-title")).toHaveText(topic);
  const row = page.locator(`[data-testid="history-run"][data-run-id="${runId}"]`);

  let minimum = 0;
  for (let stretch = 1; stretch <= 2; stretch++) {
    minimum += 20;
    await waitForStatAbove(page, "unique", minimum);
    await page.getByTestId("stop-button").click({ timeout: 60_000 });
    await expect(page.getByTestId("run-state")).toHaveText("stopped", { timeout: 60_000 });
    // Stopped: the row and the header show the stored view, the same figures.
    await expect.poll(async () => readBoth(page, runId).then((b) => b.historyEntries === b.headerUnique && b.historyCost === b.headerCost)).toBe(true);
    await row.getByRole("button", { name: /Resume/ }).click({ timeout: 60_000 });
    await expect(page.getByTestId("run-state")).toHaveText("running");
  }

  // The third stretch: whatever moment the page is read at, the history row says what the header says.
  await waitForStatAbove(page, "unique", minimum + 10);
  for (let i = 0; i < 5; i++) {
    const both = await readBoth(page, runId);
    expect(both.historyEntries).toBe(both.headerUnique);
    expect(both.historyCost).toBe(both.headerCost);
    await page.waitForTimeout(700);
  }
  await expect(page.getByTestId("run-started")).toContainText("3 stretches");
  await screenshot(page, "history-third-stretch");

  await page.getByTestId("stop-button").click({ timeout: 60_000 });
  await expect(page.getByTestId("run-state")).toHaveText("stopped", { timeout: 60_000 });
  const listed = await request.get(`/api/trpc/topic.list?input=${encodeURIComponent(JSON.stringify({ limit: 50 }))}`);
  const run = ((await listed.json()) as { result: { data: ListedRun[] } }).result.data.find((r) => r.id === runId)!;
  expect(run.stretches).toHaveLength(3);
  // The first start, not the third stretch's; the time spent running, not the wall time since.
  expect(run.firstStartedAt).not.toBeNull();
  expect(run.activeMs).toBeLessThan(Date.now() - run.firstStartedAt!);
  await expect(row.getByTestId("history-started")).toHaveText(formatDateTime(run.firstStartedAt));
  await expect(page.getByTestId("run-started")).toContainText(`Started ${formatDateTime(run.firstStartedAt)}`);
  await expect(row.getByTestId("history-active")).toHaveText(formatDuration(run.activeMs));
  await expect(page.getByTestId("stat-elapsed").locator("dd.num")).toHaveText(formatElapsed(run.activeMs));
  // Totals: the row's, the header's and the API's are one.
  const both = await readBoth(page, runId);
  expect(both.historyEntries).toBe(both.headerUnique);
  expect(both.historyCost).toBe(both.headerCost);
  expect(await statValue(page, "unique")).toBe(run.totals.unique);
  await screenshot(page, "history-after-resumes");
});
