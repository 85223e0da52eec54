import { expect, test } from "@playwright/test";
import { expectConnection, failOnBrowserErrors, screenshot, uniqueTopic } from "./support/ui";

test.describe.configure({ mode: "serial" });

failOnBrowserErrors();

test("the topic tree grows during a run; branches can be added, pinned, pruned, and filter the entries", async ({ page }) => {
  await page.goto("/");
  await expectConnection(page, "live");
  await expect(page.getByLabel("Exploration")).toHaveValue("tree");
  await page.getByLabel("Topic to explore").fill(uniqueTopic("Garden plants"));
  await page.getByLabel("Producers").fill("3");
  await page.getByTestId("start-button").click();

  const panel = page.getByTestId("tree-panel");
  const rows = panel.getByTestId("tree-branch");
  await expect(rows.first()).toBeVisible();
  // The root alone at first; breakdown calls add subtopics as the root's yield falls.
  await expect.poll(() => rows.count(), { timeout: 150_000 }).toBeGreaterThan(2);
  await screenshot(page, "tree-grown");

  // Add a subtopic by hand under the root.
  await panel.getByTestId("tree-add-label").fill("Hand-made corner");
  await panel.getByTestId("tree-add").click();
  const added = panel.locator('[data-testid="tree-branch"]', { hasText: "Hand-made corner" });
  await expect(added).toHaveAttribute("data-state", "open");

  // Pin it, then prune another branch (not the root).
  await added.getByTestId("tree-pin").click();
  await expect(added).toHaveAttribute("data-state", "pinned");
  const other = panel.locator('[data-testid="tree-branch"]:not([data-branch-id="0"])', { hasNotText: "Hand-made corner" }).first();
  const otherId = await other.getAttribute("data-branch-id");
  await other.getByTestId("tree-prune").click();
  await expect(panel.locator(`[data-branch-id="${otherId}"]`)).toHaveAttribute("data-state", "pruned");

  // Clicking a branch with entries filters the entries list to it; clicking again shows all.
  const firstWithEntries = panel
    .locator('[data-testid="tree-branch"]:not([data-branch-id="0"])')
    .filter({ has: page.locator("td.num", { hasText: /^[1-9]/ }) })
    .first();
  await expect(firstWithEntries).toBeVisible({ timeout: 60_000 });
  // By id from here: as the tree grows, "the first branch with entries" may become another one.
  const withEntries = panel.locator(`[data-testid="tree-branch"][data-branch-id="${await firstWithEntries.getAttribute("data-branch-id")}"]`);
  const label = (await withEntries.getByTestId("tree-branch-label").textContent()) ?? "";
  await withEntries.getByTestId("tree-branch-label").click();
  await expect(page.getByTestId("entries-branch-filter")).toContainText(label);
  await expect(page.getByTestId("entry").first()).toBeVisible();
  await screenshot(page, "tree-filtered");
  await withEntries.getByTestId("tree-branch-label").click();
  await expect(page.getByTestId("entries-branch-filter")).toHaveCount(0);

  await page.getByTestId("stop-button").click();
  await expect(page.getByTestId("server-state")).toHaveText("idle", { timeout: 60_000 });
});
