import { expect, test, type Page } from "@playwright/test";
import fs from "node:fs";
import path from "node:path";
import { formatDateTime, formatDuration, formatElapsed, formatUsd } from "../src/app/_lib/format";
import { ROOT } from "./support/env";
import { chartPoints, expectConnection, failOnBrowserErrors, screenshot, statValue, uniqueTopic, waitForStatAbove } from "./support/ui";

// One server, one database: the tests build on each other (start -> stop -> history).
test.describe.configure({ mode: "serial" });

const topic = uniqueTopic("European birds");

// Uncaught exceptions and React errors fail the test (HTTP 4xx of a rejected form are expected).
failOnBrowserErrors();

async function startTopic(page: Page, name: string): Promise<void> {
  await page.getByLabel("Topic to explore").fill(name);
  await page.getByLabel("Producers").fill("3");
  await page.getByTestId("start-button").click();
}

test("an invalid form shows the API's validation errors next to the fields", async ({ page }) => {
  await page.goto("/");
  await expectConnection(page, "live");
  await page.getByLabel("Topic to explore").fill("x");
  await page.getByLabel("Producers").fill("99");
  await page.getByLabel("Items per request").fill("1");
  await expect(page.getByLabel("Routing strategy")).toHaveValue("adaptive");
  await page.getByLabel("Max minutes").fill("-5");
  await page.getByLabel("Est. coverage").fill("150");
  const response = page.waitForResponse((r) => r.url().includes("topic.start"));
  await page.getByTestId("start-button").click();
  expect((await response).status()).toBe(400);

  await expect(page.getByTestId("topic-error")).toContainText("at least 2 characters");
  await expect(page.getByTestId("producers-error")).toContainText("at most 20");
  await expect(page.getByTestId("requestSize-error")).toContainText("at least 5");
  await expect(page.getByLabel("Topic to explore")).toHaveAttribute("aria-invalid", "true");
  // The error is tied to its field for assistive technology.
  await expect(page.getByLabel("Topic to explore")).toHaveAttribute("aria-describedby", "topic-error");
  // Nested errors sit next to the exact stop input, from the API's full issue paths.
  await expect(page.getByTestId("stop-maxMinutes-error")).toContainText(/small|>\s*0/i);
  await expect(page.getByTestId("stop-coveragePercent-error")).toContainText(/big|100/i);
  await expect(page.getByLabel("Max minutes")).toHaveAttribute("aria-describedby", "stop-maxMinutes-error");
  await expect(page.getByLabel("Max entries")).toHaveAttribute("aria-invalid", "false");
  await screenshot(page, "invalid-form");

  // Every control has an accessible name.
  for (const control of await page.locator("main input, main select, main button").all()) {
    await expect(control).toHaveAccessibleName(/\S/);
  }

  // Editing the field clears its error; nothing was started.
  await page.getByLabel("Topic to explore").fill("xy");
  await expect(page.getByTestId("topic-error")).toHaveCount(0);
  await page.getByLabel("Max minutes").fill("");
  await expect(page.getByTestId("stop-maxMinutes-error")).toHaveCount(0);
  await expect(page.getByTestId("stop-coveragePercent-error")).toBeVisible();
  await page.getByLabel("Est. coverage").fill("");
  await expect(page.getByTestId("server-state")).toHaveText("idle");
});

test("a topic started from the form runs against the simulator, streams live numbers and stops", async ({ page }) => {
  await page.goto("/");
  await expectConnection(page, "live");
  // Without API keys only the simulator is offered, and labelled as such.
  const models = page.locator(".mix-row select").first().locator("option");
  await expect(models).not.toHaveCount(0);
  for (const label of await models.allTextContents()) expect(label).toMatch(/simulat/i);

  await startTopic(page, topic);
  await expect(page.getByTestId("run-title")).toHaveText(topic);
  await expect(page.getByTestId("run-state")).toHaveText("running");

  // The total rises while the page is open, without reloading.
  const first = await waitForStatAbove(page, "unique", 0);
  await waitForStatAbove(page, "unique", first);
  await expect.poll(() => statValue(page, "tokens")).toBeGreaterThan(0);

  // Charts draw points (stored samples plus the live one).
  const charts = page.getByTestId("charts");
  await expect.poll(() => chartPoints(charts), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
  await expect(page.getByTestId("chart-cumulative").locator("path.recharts-area-curve")).toHaveAttribute("d", /L/);
  await expect(page.getByTestId("chart-rate").locator("path.recharts-line-curve").first()).toHaveAttribute("d", /L/);
  // Routing weights: one stacked area per simulated model, from the first samples on.
  const weights = page.getByTestId("chart-weights");
  await expect(weights).toHaveAttribute("data-series", "3");
  await expect(weights.locator("path.recharts-area-curve").first()).toHaveAttribute("d", /L/);

  // Per-LLM rows: one per simulated model and one per producer; producers are online in pm2.
  await expect(page.getByTestId("targets-table-row")).toHaveCount(3);
  await expect(page.getByTestId("producers-table-row")).toHaveCount(3);
  await expect(page.getByTestId("targets-table")).toContainText("simulated");
  await expect(page.getByTestId("targets-table-weight")).toHaveCount(3);
  await expect(page.getByTestId("targets-table-weight").first()).toContainText("%");
  // Calls in flight as the producers report them with each submission.
  await expect(page.getByTestId("producers-table-in-flight").first()).toHaveText(/^\d+ in flight$/);
  await expect(page.getByTestId("targets-table-in-flight").first()).toHaveText(/^\d+ in flight$/);
  const tableOverflow = await page.getByTestId("targets-table").evaluate((el) => el.scrollWidth - el.clientWidth);
  expect(tableOverflow, "the per-model table fits a desktop window without scrolling").toBeLessThanOrEqual(0);
  await expect(page.getByTestId("producer-row")).toHaveCount(3);
  await expect(page.getByTestId("producer-row").first()).toContainText("online", { timeout: 30_000 });

  // The newest entries stream in, with the producer that found each.
  await expect(page.getByTestId("entry").first()).toBeVisible();
  await expect(page.getByTestId("entry").first()).toContainText(/p\d/);

  // Numbers update every second without moving anything on the page.
  const boxes = async () =>
    Promise.all(["stat-unique", "stat-cost", "stat-elapsed", "charts", "producer-health"].map(async (id) => page.getByTestId(id).boundingBox()));
  const before = await boxes();
  const uniqueBefore = await statValue(page, "unique");
  await waitForStatAbove(page, "unique", uniqueBefore);
  expect(await boxes()).toEqual(before);

  await waitForStatAbove(page, "unique", 100);
  // The coverage estimate: its line holds its place until the first fit (within ~30 s of the start).
  await expect(page.getByTestId("coverage")).toHaveAttribute("data-state", "known", { timeout: 60_000 });
  await expect(page.getByTestId("coverage-text")).toContainText(/About (\d+%|under 1%) of an estimated [\d,]+ found/);
  await expect(page.getByTestId("coverage-band")).toContainText(/\d/);
  await expect(page.getByTestId("effectiveness")).toContainText(/decision/);
  const shot = await screenshot(page, "running");
  // The README's screenshot is refreshed on request only: a test run leaves the clone clean.
  if (process.env.IGENTAI_UPDATE_SCREENSHOT === "1") {
    fs.mkdirSync(path.join(ROOT, "docs"), { recursive: true });
    fs.copyFileSync(shot, path.join(ROOT, "docs", "screenshot.png"));
  }

  // Phone width and dark scheme: the same page stays usable.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.emulateMedia({ colorScheme: "dark" });
  await expect(page.getByTestId("stat-unique")).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, "no horizontal scrolling of the page at phone width").toBeLessThanOrEqual(0);
  await screenshot(page, "running-phone-dark");
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.emulateMedia({ colorScheme: "light" });

  // Search over the run's entries.
  const sample = (await page.getByTestId("entry").first().locator(".entry-text").textContent())!.trim();
  // Trimmed: the server trims the search text, so a needle ending in a space would match more.
  const needle = sample.slice(0, Math.min(6, sample.length)).trim();
  await page.getByTestId("entry-search").fill(needle);
  await expect(page.getByText(/match(es)? for/)).toBeVisible();
  const texts = await page.getByTestId("entry").locator(".entry-text").allTextContents();
  expect(texts.length).toBeGreaterThan(0);
  for (const t of texts) expect(t.toLowerCase()).toContain(needle.toLowerCase());
  await page.getByTestId("entry-search").fill("");

  // output.txt downloads with one entry per line.
  const download = page.waitForEvent("download");
  await page.getByTestId("download-txt").click();
  const file = await (await download).path();
  const lines = fs.readFileSync(file, "utf8").split("\n").filter(Boolean);
  expect(lines.length).toBeGreaterThan(0);

  // Stop: pending state, then the producers are gone.
  await page.getByTestId("stop-button").click();
  await expect(page.getByTestId("run-state")).toHaveText("stopped", { timeout: 60_000 });
  await expect(page.getByTestId("no-producers")).toBeVisible();
  await expect(page.getByTestId("producer-row")).toHaveCount(0);
  await expect(page.getByTestId("stop-button")).toBeDisabled();
  await screenshot(page, "stopped");
});

test("after a reload the run is in the history and opens with its whole curve", async ({ page }) => {
  await page.goto("/");
  await page.reload();
  const row = page.getByTestId("history-run").filter({ hasText: topic });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("stopped");
  await row.getByRole("link").click();
  await expect(page).toHaveURL(/\?run=/);
  await expect(page.getByTestId("run-title")).toHaveText(topic);

  // The curve comes from the stored samples (no live data for a stopped run).
  const charts = page.getByTestId("charts");
  await expect.poll(() => chartPoints(charts)).toBeGreaterThanOrEqual(2);
  await expect(page.getByTestId("chart-cumulative").locator("path.recharts-area-curve")).toHaveAttribute("d", /L/);
  expect(await statValue(page, "unique")).toBeGreaterThan(100);
  await expect(page.getByTestId("entry").first()).toBeVisible();
  await expect(page.getByTestId("targets-table-row")).not.toHaveCount(0);
  // Weights and coverage of a past run come from its stored samples.
  await expect(page.getByTestId("chart-weights")).toHaveAttribute("data-series", "3");
  await expect(page.getByTestId("coverage-text")).toContainText(/of an estimated [\d,]+ found/);

  // Orchestration events from Postgres, newest first.
  await expect(page.getByTestId("event").filter({ hasText: "run.stopped" })).toHaveCount(1);
  await expect(page.getByTestId("event").filter({ hasText: "run.started" })).toHaveCount(1);
  await screenshot(page, "history");

  // Downloads: JSON with metadata and CSV hold every entry; bad requests are refused.
  const runId = new URL(page.url()).searchParams.get("run")!;
  const total = await statValue(page, "unique");
  const json = (await (await page.request.get(`/api/runs/${runId}/download?format=json`)).json()) as {
    run: { topic: string };
    entries: Array<{ seq: number; producer: string; provider: string }>;
  };
  expect(json.run.topic).toBe(topic);
  expect(json.entries).toHaveLength(total);
  expect(json.entries[0]).toMatchObject({ seq: 1, provider: "sim" });
  const csv = await (await page.request.get(`/api/runs/${runId}/download?format=csv`)).text();
  expect(csv.split("\r\n")[0]).toBe("seq,text,producer,provider,model,created_at,support_calls,support_producers,support_models,verdict");
  expect(csv.trim().split("\r\n")).toHaveLength(total + 1);
  expect((await page.request.get(`/api/runs/${runId}/download?format=xml`)).status()).toBe(400);
  expect((await page.request.get(`/api/runs/no-such-run/download?format=txt`)).status()).toBe(404);
});

test("a past run resumes from the history and continues from its entries", async ({ page }) => {
  await page.goto("/");
  const row = page.getByTestId("history-run").filter({ hasText: topic });
  await row.getByRole("link").click();
  await expect(page).toHaveURL(/\?run=/);
  const before = await statValue(page, "unique");
  expect(before).toBeGreaterThan(0);

  await page
    .getByTestId("history-run")
    .filter({ hasText: topic })
    .getByRole("button", { name: /Resume/ })
    .click();
  await expect(page).not.toHaveURL(/\?run=/);
  await expect(page.getByTestId("run-title")).toHaveText(topic);
  await expect(page.getByTestId("run-state")).toHaveText("running");
  await waitForStatAbove(page, "unique", before);
  await expect(page.getByTestId("event").filter({ hasText: "run.resumed" })).toHaveCount(1, { timeout: 30_000 });

  await page.getByTestId("stop-button").click();
  await expect(page.getByTestId("run-state")).toHaveText("stopped", { timeout: 60_000 });
  await expect(page.getByTestId("history-run").filter({ hasText: topic })).toHaveCount(1);

  // The history keeps the run's first start and its active time over both stretches, and the
  // page shows the whole run's figures: topic.list's, which equal the database's sums
  // (test/cumulative.test.ts).
  type Listed = { id: string; topic: string; firstStartedAt: number; activeMs: number; stretches: unknown[]; totals: { costUsd: number; unique: number } };
  const listed = ((await (await page.request.get("/api/trpc/topic.list")).json()).result.data as Listed[]).find((r) => r.topic === topic)!;
  expect(listed.stretches).toHaveLength(2);
  await page.getByTestId("history-run").filter({ hasText: topic }).getByRole("link").click();
  await expect(page).toHaveURL(/\?run=/);
  await expect(page.getByTestId("run-started")).toContainText(`Started ${formatDateTime(listed.firstStartedAt)} · 2 stretches`);
  await expect(page.getByTestId("history-run").filter({ hasText: topic })).toContainText(formatDateTime(listed.firstStartedAt));
  await expect(page.getByTestId("history-run").filter({ hasText: topic })).toContainText(formatDuration(listed.activeMs));
  await expect(page.getByTestId("stat-elapsed").locator("dd.num")).toHaveText(formatElapsed(listed.activeMs));
  await expect(page.getByTestId("stat-cost").locator("dd.num")).toHaveText(formatUsd(listed.totals.costUsd));
  expect(await statValue(page, "unique")).toBe(listed.totals.unique);
});
