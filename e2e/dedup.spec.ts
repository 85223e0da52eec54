import { expect, test, type APIRequestContext } from "@playwright/test";
import fs from "node:fs";
import path from "node:path";
import { e2eDir } from "./support/env";
import { screenshot, uniqueTopic } from "./support/ui";

/**
 * Near-duplicate review in the browser: a simulator run produces typos (merged by the string
 * engine) and close pairs (kept apart); the user merges a pair and restores a merged candidate.
 * After each, output.txt equals the database's entries (the txt download reads the DB).
 */
test.describe.configure({ mode: "serial" });

const JSON_HEADERS = { "content-type": "application/json" };

async function trpcQuery<T>(request: APIRequestContext, proc: string, input: unknown): Promise<T> {
  const res = await request.get(`/api/trpc/${proc}?input=${encodeURIComponent(JSON.stringify(input))}`);
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as { result: { data: T } }).result.data;
}

type Review = { items: Array<{ id: number; candidate: string; candidateSeq: number | null; entrySeq: number | null }> };

test("review lists, merge and restore in the browser keep output.txt equal to the DB", async ({ page, request }) => {
  test.setTimeout(360_000);
  const topic = uniqueTopic("Famous bridges");
  const start = await request.post("/api/trpc/topic.start", { data: { topic, producers: 3, requestSize: 60 }, headers: JSON_HEADERS });
  expect(start.status(), await start.text()).toBe(200);
  const { runId } = ((await start.json()) as { result: { data: { runId: string } } }).result.data;

  // Wait for a near-duplicate decision: a typo merged by the string engine, or a close pair kept apart.
  const reviewable = async () => {
    const possible = await trpcQuery<Review>(request, "dedup.review", { runId, kind: "possible" });
    const merged = await trpcQuery<Review>(request, "dedup.review", { runId, kind: "merged" });
    return merged.items.length + possible.items.filter((d) => d.candidateSeq !== null && d.entrySeq !== null).length;
  };
  await expect.poll(reviewable, { timeout: 240_000, intervals: [1000] }).toBeGreaterThan(0);
  // Stopped, so the entries only change by the user's actions below.
  expect((await request.post("/api/trpc/topic.stop", { headers: JSON_HEADERS })).status()).toBe(200);

  const runs = await trpcQuery<Array<{ id: string; slug: string }>>(request, "topic.list", {});
  const slug = runs.find((r) => r.id === runId)!.slug;
  const fileLines = () => {
    const raw = fs.readFileSync(path.join(e2eDir(), "main", "output", slug, "output.txt"), "utf8");
    return raw === "" ? [] : raw.replace(/\n$/, "").split("\n");
  };
  const dbLines = async () => {
    const raw = await (await request.get(`/api/runs/${encodeURIComponent(runId)}/download?format=txt`)).text();
    return raw === "" ? [] : raw.replace(/\n$/, "").split("\n");
  };
  expect(fileLines()).toEqual(await dbLines());
  // A merge or restore changes the DB first, then rewrites output.txt (as appends do): the
  // file catches up within the same action, so compare once both have settled.
  const expectFileEqualsDb = async () => {
    await expect.poll(async () => JSON.stringify(fileLines()) === JSON.stringify(await dbLines()), { timeout: 20_000 }).toBe(true);
    expect(fileLines()).toEqual(await dbLines());
  };

  await page.goto(`/?run=${encodeURIComponent(runId)}`);
  const panel = page.getByTestId("dedup-panel");
  await expect(panel.getByRole("heading", { name: "Possible duplicates" })).toBeVisible();

  // Without a merged candidate yet, the user merges a close pair first.
  if ((await trpcQuery<Review>(request, "dedup.review", { runId, kind: "merged" })).items.length === 0) {
    const pair = panel
      .getByTestId("possible")
      .filter({ has: page.getByRole("button", { name: "Merge", disabled: false }) })
      .first();
    const later = (await pair.locator(".entry-text").first().textContent())!.replace(/^#\d+\s*/, "").trim();
    const before = await dbLines();
    await pair.getByRole("button", { name: "Merge" }).click();
    await expect.poll(async () => (await dbLines()).includes(later)).toBe(false);
    expect(await dbLines()).toHaveLength(before.length - 1);
    await expectFileEqualsDb();
  }

  // Restore a merged candidate: a new entry at the end.
  const typo = panel.getByTestId("merged").first();
  const typoText = (await typo.locator(".entry-text").first().textContent())!.trim();
  await typo.getByRole("button", { name: "Restore" }).click();
  await expect.poll(async () => (await dbLines()).at(-1)).toBe(typoText);
  await expectFileEqualsDb();

  // It is now a possible duplicate of the entry it was merged into; merge it again.
  const pair = panel.getByTestId("possible").filter({ hasText: typoText }).first();
  await expect(pair).toBeVisible();
  const before = await dbLines();
  await pair.getByRole("button", { name: "Merge" }).click();
  await expect.poll(async () => (await dbLines()).includes(typoText)).toBe(false);
  expect(await dbLines()).toHaveLength(before.length - 1);
  await expectFileEqualsDb();
  await expect(panel.getByTestId("merged").filter({ hasText: typoText }).first()).toBeVisible();
  await screenshot(page, "dedup-review");

  // Review at scale: every open pair of one kind in one click, then Undo restores them all.
  const mergeAll = panel.getByTestId("dedup-bulk").getByRole("button", { name: /^Merge all \d+ / });
  if ((await mergeAll.count()) === 0) {
    test.info().annotations.push({ type: "note", description: "no open possible duplicates left for the bulk merge" });
    return;
  }
  const count = Number(/Merge all (\d+)/.exec((await mergeAll.first().textContent()) ?? "")![1]);
  const beforeBulk = await dbLines();
  await mergeAll.first().click();
  const undo = panel.getByTestId("dedup-undo");
  await expect(undo).toBeVisible();
  await expect.poll(async () => (await dbLines()).length).toBeLessThan(beforeBulk.length);
  expect((await dbLines()).length).toBeGreaterThanOrEqual(beforeBulk.length - count);
  await expectFileEqualsDb();
  await undo.click();
  await expect(undo).toBeHidden();
  await expect.poll(async () => (await dbLines()).length).toBe(beforeBulk.length);
  expect([...(await dbLines())].sort()).toEqual([...beforeBulk].sort());
  await expectFileEqualsDb();
});
