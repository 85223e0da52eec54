import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { topicSlug } from "../src/lib/slug";
import { e2eDir } from "./support/env";
import { expectConnection, failOnBrowserErrors, screenshot, uniqueTopic } from "./support/ui";

// Issue 20 on the page: a pruned branch un-pruned from the tree panel, and a run deleted from
// the history after a question whose "also delete output.txt" box starts unticked.

test.describe.configure({ mode: "serial" });
// A live run's dashboard re-renders every second: on a loaded machine a click waited past 15 s.
test.use({ actionTimeout: 60_000 });

failOnBrowserErrors();

const topic = uniqueTopic("Sea birds");
const outputFile = () => path.join(e2eDir(), "main", "output", topicSlug(topic), "output.txt");

test("a pruned branch is un-pruned from the tree panel", async ({ page }) => {
  await page.goto("/");
  await expectConnection(page, "live");
  await page.getByLabel("Topic to explore").fill(topic);
  await page.getByLabel("Producers").fill("2");
  await page.getByTestId("start-button").click();

  const panel = page.getByTestId("tree-panel");
  await expect(panel.getByTestId("tree-branch").first()).toBeVisible({ timeout: 60_000 });
  await panel.getByTestId("tree-add-label").fill("Hand-made corner");
  await panel.getByTestId("tree-add").click();
  const added = panel.locator('[data-testid="tree-branch"]', { hasText: "Hand-made corner" });
  // (a hand-made branch whose first call finds nothing new is saturated at once)
  await expect(added).toHaveAttribute("data-state", /^(open|saturated)$/);
  // Open: no Un-prune button. Pruned: Un-prune instead of Prune and Pin.
  await expect(added.getByTestId("tree-unprune")).toHaveCount(0);
  // By keyboard: the live tree grows and shifts the layout under a mouse click (one landed on a download link).
  await added.getByTestId("tree-prune").press("Enter");
  await expect(added).toHaveAttribute("data-state", "pruned");
  await expect(added.getByTestId("tree-prune")).toHaveCount(0);
  await expect(added.getByTestId("tree-pin")).toHaveCount(0);
  await screenshot(page, "tree-pruned");
  await added.getByTestId("tree-unprune").press("Enter");
  await expect(added).toHaveAttribute("data-state", /^(open|saturated)$/);
  await expect(added.getByTestId("tree-prune")).toBeVisible();
  await expect(added.getByTestId("tree-unprune")).toHaveCount(0);

  await page.getByTestId("stop-button").click();
  await expect(page.getByTestId("server-state")).toHaveText("idle", { timeout: 60_000 });
});

test("a run is deleted from the history after a question; its output.txt is kept unless ticked", async ({ page }) => {
  await page.goto("/");
  await expectConnection(page, "live");
  const row = page.getByTestId("history-run").filter({ hasText: topic });
  await expect(row).toHaveCount(1);
  const lines = fs.readFileSync(outputFile(), "utf8");
  expect(lines.length).toBeGreaterThan(0);

  // Cancel changes nothing.
  await row.getByTestId("history-delete").click();
  const dialog = page.getByTestId("delete-dialog");
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(`Delete “${topic}”?`);
  await expect(dialog.getByTestId("delete-files")).not.toBeChecked();
  await screenshot(page, "delete-run-dialog");
  await dialog.getByTestId("delete-cancel").click();
  await expect(dialog).toHaveCount(0);
  await expect(row).toHaveCount(1);

  // Escape closes it too.
  await row.getByTestId("history-delete").click();
  await expect(dialog).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);

  // Confirmed with the box unticked: the run leaves the history, output.txt stays.
  await row.getByTestId("history-delete").click();
  await expect(dialog.getByTestId("delete-files")).not.toBeChecked();
  await dialog.getByTestId("delete-confirm").click();
  await expect(dialog).toHaveCount(0);
  await expect(row).toHaveCount(0);
  expect(fs.readFileSync(outputFile(), "utf8")).toBe(lines);
  await page.reload();
  await expect(page.getByTestId("history")).toBeVisible();
  await expect(page.getByTestId("history-run").filter({ hasText: topic })).toHaveCount(0);
});

test("ticking the box deletes the output folder with the run", async ({ page }) => {
  const other = uniqueTopic("Shore birds");
  await page.goto("/");
  await expectConnection(page, "live");
  await page.getByLabel("Topic to explore").fill(other);
  await page.getByLabel("Producers").fill("1");
  await page.getByTestId("start-button").click();
  await expect(page.getByTestId("server-state")).toContainText(other, { timeout: 60_000 });
  const file = path.join(e2eDir(), "main", "output", topicSlug(other), "output.txt");
  await expect.poll(() => fs.existsSync(file) && fs.statSync(file).size > 0, { timeout: 60_000 }).toBe(true);
  // No Delete for the live run.
  const row = page.getByTestId("history-run").filter({ hasText: other });
  await expect(row.getByTestId("history-delete")).toHaveCount(0);
  await page.getByTestId("stop-button").click();
  await expect(page.getByTestId("server-state")).toHaveText("idle", { timeout: 60_000 });
  // Stopped, the page keeps showing it; deleted, it no longer does.
  await expect(page.getByTestId("run-title")).toHaveText(other);

  await row.getByTestId("history-delete").click();
  const dialog = page.getByTestId("delete-dialog");
  await dialog.getByTestId("delete-files").check();
  await expect(dialog).toContainText("will be deleted too");
  await dialog.getByTestId("delete-confirm").click();
  await expect(row).toHaveCount(0);
  expect(fs.existsSync(path.dirname(file))).toBe(false);
  await expect(page.getByTestId("run-title").filter({ hasText: other })).toHaveCount(0);
});
