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
  const topic = uniqueTopic("Famous bridges");
  const start = await request.post("/api/trpc/topic.start", { data: { topic, producers: 3, requestSize: 60 }, headers: JSON_HEADERS });
  expect(start.status(), await start.text()).toBe(200);
  const { runId } = ((await start.json()) as { result: { data: { runId: string } } }).result.data;

  // Wait until the run has both kinds of decision to review.
  await expect
    .poll(
      async () => {
        const possible = await trpcQuery<Review>(request, "dedup.review", { runId, kind: "possible" });
        const merged = await trpcQuery<Review>(request, "dedup.review", { runId, kind: "merged" });
        return possible.items.some((d) => d.candidateSeq !== null && d.entrySeq !== null) && merged.items.length > 0;
      },
      { timeout: 150_000, intervals: [1000] },
    )
    .toBe(true);
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

  await page.goto(`/?run=${encodeURIComponent(runId)}`);
  const panel = page.getByTestId("dedup-panel");
  await expect(panel.getByRole("heading", { name: "Possible duplicates" })).toBeVisible();

  // Merge the first possible pair: its later entry leaves the DB and output.txt.
  const pair = panel.getByTestId("possible").filter({ has: page.getByRole("button", { name: "Merge", disabled: false }) }).first();
  const pairText = (await pair.locator(".entry-text").first().textContent())!.replace(/^#\d+\s*/, "").trim();
  const before = await dbLines();
  expect(before).toContain(pairText);
  await pair.getByRole("button", { name: "Merge" }).click();
  await expect(panel.getByTestId("merged").filter({ hasText: pairText }).first()).toBeVisible();
  await expect.poll(async () => (await dbLines()).includes(pairText)).toBe(false);
  expect(await dbLines()).toHaveLength(before.length - 1);
  expect(fileLines()).toEqual(await dbLines());
  await screenshot(page, "dedup-merged");

  // Restore it: a new entry at the end.
  const merged = panel.getByTestId("merged").filter({ hasText: pairText }).first();
  await merged.getByRole("button", { name: "Restore" }).click();
  await expect(panel.getByTestId("merged").filter({ hasText: pairText })).toHaveCount(0);
  await expect.poll(async () => (await dbLines()).at(-1)).toBe(pairText);
  expect(fileLines()).toEqual(await dbLines());

  // Restore a candidate the string engine merged: it becomes an entry too.
  const typo = panel.getByTestId("merged").first();
  const typoText = (await typo.locator(".entry-text").first().textContent())!.trim();
  await typo.getByRole("button", { name: "Restore" }).click();
  await expect.poll(async () => (await dbLines()).at(-1)).toBe(typoText);
  expect(fileLines()).toEqual(await dbLines());
});
