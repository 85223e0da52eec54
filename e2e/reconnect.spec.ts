import { expect, test } from "@playwright/test";
import path from "node:path";
import { e2eDir } from "./support/env";
import { crashServer, freePort, killProducers, startServer, stopServer, type TestServer } from "./support/server";
import { expectConnection, screenshot, statValue, uniqueTopic, waitForStatAbove } from "./support/ui";

// Its own server, so killing it does not disturb the other tests.
test("the live stream reconnects by itself after the server is killed mid-run", async ({ page }) => {
  const port = await freePort();
  const dir = path.join(e2eDir(), `crash-${port}`);
  const opts = { port, dir, pm2Home: path.join(dir, "pm2"), log: path.join(dir, "server.log") };
  let server: TestServer | undefined = await startServer(opts);
  try {
    await page.goto(server.url);
    await expectConnection(page, "live");
    const topic = uniqueTopic("Rivers of Asia");
    await page.getByLabel("Topic to explore").fill(topic);
    await page.getByTestId("start-button").click();
    await expect(page.getByTestId("run-state")).toHaveText("running");
    const before = await waitForStatAbove(page, "unique", 20);

    await crashServer(server);
    server = undefined;
    await expectConnection(page, "reconnecting", 15_000);
    await expect(page.getByTestId("stale-notice")).toBeVisible();
    await screenshot(page, "reconnecting");

    server = await startServer(opts);
    // The page was not reloaded: the same EventSource (or a re-subscription) is live again.
    await expectConnection(page, "live", 60_000);
    await expect(page.getByTestId("stale-notice")).toHaveCount(0);
    // Its producers died with the server: the run is interrupted and waits for the user
    // (nothing is spent unasked); Resume in the history starts it again.
    const entry = page.getByTestId("history-run").filter({ hasText: topic });
    await expect(entry.locator(".pill")).toHaveText("interrupted");
    await expect(page.getByTestId("server-state")).toHaveText("idle");
    await entry.getByRole("button", { name: /Resume/ }).click();
    await expect(page.getByTestId("run-state")).toHaveText("running");
    // The run continues from the database, and keeps growing.
    await expect.poll(() => statValue(page, "unique"), { timeout: 60_000 }).toBeGreaterThanOrEqual(before);
    await waitForStatAbove(page, "unique", before);
    await screenshot(page, "reconnected");

    await page.getByTestId("stop-button").click();
    await expect(page.getByTestId("run-state")).toHaveText("stopped", { timeout: 60_000 });
  } finally {
    if (server) await stopServer(server);
    // Producers of the killed server were orphaned (pm2 starts them detached); they should
    // notice and exit, anything still there after the graceful stop is killed here.
    const orphans = await killProducers([port]);
    if (orphans > 0) console.warn(`reconnect test: killed ${orphans} orphaned producer(s)`);
  }
});
