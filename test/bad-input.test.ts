import fs from "node:fs";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_CANDIDATES_PER_BATCH, MAX_CANDIDATE_CHARS } from "../src/lib/protocol";
import { MAX_BATCH_CALLS, MAX_BODY_BYTES } from "../src/lib/request-guard";
import { INT4_MAX } from "../src/lib/validation";
import { serveApi } from "../src/server/http";
import { connect, disconnect, list } from "../src/server/orchestrator/pm2";
import { PRODUCER_PREFIX } from "../src/server/orchestrator/supervisor";
import { testDatabases } from "./helpers/databases";
import { startHarness, waitFor, type Harness } from "./helpers/harness";

/**
 * Bad input and foreign requests against the real HTTP API (the standalone server of
 * src/server/http.ts, with the same guard and router as the Next routes) while a run is
 * active: every case gets its 4xx, names the field where there is one, and changes nothing.
 */

const SECRET = "bad-input-run-secret";
const TOKEN = "a-test-token-of-some-length";
const NUL = "\u0000";
const LONE = "\uD800";

// biome-ignore lint/suspicious/noExplicitAny: the tests read whatever shape the server answered with
type Answer = { status: number; body: string; json: any };

function request(port: number, method: string, url: string, opts: { headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method, path: url, headers: { host: `127.0.0.1:${port}`, ...opts.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        let json: unknown = null;
        try {
          json = JSON.parse(body);
        } catch {
          json = null;
        }
        // A subscription (SSE) has answered 200 before its input is read: tRPC sends the error as
        // a `serialized-error` event carrying the HTTP status, and ends the stream.
        const sseError = /^event: serialized-error\ndata: (.*)$/m.exec(body)?.[1];
        if (sseError) {
          const error = JSON.parse(sseError) as { data?: { httpStatus?: number } };
          resolve({ status: error.data?.httpStatus ?? 0, body, json: { error } });
          return;
        }
        resolve({ status: res.statusCode ?? 0, body, json });
      });
    });
    req.on("error", reject);
    if (opts.body !== undefined) req.end(opts.body);
    else req.end();
  });
}

const JSON_HEADERS = { "content-type": "application/json" };
const post = (proc: string, input: unknown, headers: Record<string, string> = {}) => ({
  method: "POST",
  url: `/api/trpc/${proc}`,
  headers: { ...JSON_HEADERS, ...headers },
  // JSON.stringify writes a lone surrogate as an escape (\ud800): the server decodes it back.
  body: input === undefined ? undefined : JSON.stringify(input),
});
const get = (proc: string, input?: unknown, headers: Record<string, string> = {}) => ({
  method: "GET",
  url: `/api/trpc/${proc}${input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`}`,
  headers,
});

type Case = {
  name: string;
  req: { method: string; url: string; headers?: Record<string, string>; body?: string };
  status: number;
  /** The field the answer must name (tRPC issue path, or the guard's message). */
  field?: string;
  /** Text the message must contain. */
  says?: string | RegExp;
};

/** The field paths a tRPC error names. */
function fieldsOf(a: Answer): string[] {
  const issues = a.json?.error?.data?.issues as Array<{ path: string }> | null | undefined;
  // The download route answers as the guard does: { error: { field, message } }.
  const field = a.json?.error?.field;
  return [...(issues ?? []).map((i) => i.path), ...(typeof field === "string" ? [field] : [])];
}
function messageOf(a: Answer): string {
  return String(a.json?.error?.message ?? a.body);
}

describe.each(testDatabases())("bad input on $name", (target) => {
  let h: Harness;
  let port: number;
  let runId: string;
  let before: { runs: unknown; outputs: string[]; active: string | null; dedupChanges: number };

  const state = async () => ({
    runs: await h.app.db.prisma.run.findMany({
      orderBy: { id: "asc" },
      select: { id: true, topic: true, state: true, config: true, startedAt: true, stoppedAt: true },
    }),
    outputs: fs.readdirSync(h.outputDir).sort(),
    active: h.app.orchestrator.snapshot().run?.id ?? null,
    dedupChanges: await h.app.db.prisma.dedupDecision.count({ where: { kind: { in: ["user-merged", "restored"] } } }),
  });

  beforeAll(async () => {
    h = await startHarness({
      db: await target.open(),
      newSecret: () => SECRET,
      env: {
        IGENTAI_SIM_PARAMS: JSON.stringify({ latencyScale: 0.05 }),
        // OpenAI "configured" (a base URL alone enables it) so that its price check is reached; it is never called.
        OPENAI_BASE_URL: "http://127.0.0.1:9/v1",
      },
    });
    port = Number(new URL(h.apiUrl).port);
    const started = await request(port, "POST", "/api/trpc/topic.start", {
      headers: JSON_HEADERS,
      body: JSON.stringify({ topic: "Cheeses of France", producers: 1, requestSize: 20, providers: [{ provider: "sim", model: "sim-strong" }] }),
    });
    expect(started.status).toBe(200);
    runId = started.json.result.data.runId;
    await waitFor("some entries", async () => (await h.app.db.prisma.entry.count({ where: { runId } })) >= 10);
    before = await state();
  });

  afterAll(async () => {
    await h?.close();
    await connect(true);
    expect(await list(PRODUCER_PREFIX)).toEqual([]);
    disconnect();
  });

  const cases = (): Case[] => [
    // ---- requests from other sites (the guard) ----
    {
      name: "a Host this server is not known by (DNS rebinding)",
      req: { ...post("topic.stop", undefined), headers: { ...JSON_HEADERS, host: `evil.example:${port}` } },
      status: 403,
      says: "Host",
    },
    { name: "a rebinding Host reading status", req: { ...get("topic.status"), headers: { host: "attacker.test" } }, status: 403, says: "Host" },
    { name: "a foreign Origin stopping the run", req: post("topic.stop", undefined, { origin: "http://evil.example" }), status: 403, says: "origin" },
    { name: "another port of localhost stopping the run", req: post("topic.stop", undefined, { origin: "http://127.0.0.1:1" }), status: 403, says: "origin" },
    { name: "Origin null (sandboxed frame, file:)", req: post("topic.stop", undefined, { origin: "null" }), status: 403, says: "origin" },
    { name: "a foreign Origin reading status", req: get("topic.status", undefined, { origin: "http://evil.example" }), status: 403, says: "origin" },
    { name: "a foreign Origin reading entries", req: get("topic.entries", { runId: "x" }, { origin: "http://evil.example" }), status: 403, says: "origin" },
    { name: "a cross-site fetch without Origin", req: get("topic.list", undefined, { "sec-fetch-site": "cross-site" }), status: 403, says: "cross-site" },
    {
      name: "a multipart/form-data POST (no preflight)",
      req: { method: "POST", url: "/api/trpc/topic.stop", headers: { "content-type": "multipart/form-data; boundary=x" }, body: "--x--\r\n" },
      status: 415,
      says: "content-type",
    },
    {
      name: "a text/plain POST (no preflight)",
      req: { method: "POST", url: "/api/trpc/topic.stop", headers: { "content-type": "text/plain" }, body: "{}" },
      status: 415,
      says: "content-type",
    },
    {
      name: "a form-urlencoded POST",
      req: { method: "POST", url: "/api/trpc/topic.start", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "topic=x" },
      status: 415,
      says: "content-type",
    },
    { name: "a POST without content-type", req: { method: "POST", url: "/api/trpc/topic.stop", body: "" }, status: 415, says: "content-type" },
    { name: "a PUT", req: { method: "PUT", url: "/api/trpc/topic.stop", headers: JSON_HEADERS, body: "{}" }, status: 405 },
    // ---- limits ----
    {
      name: `a batch of ${MAX_BATCH_CALLS + 1} calls`,
      req: {
        method: "GET",
        url: `/api/trpc/${Array(MAX_BATCH_CALLS + 1)
          .fill("topic.status")
          .join(",")}?batch=1&input=${encodeURIComponent("{}")}`,
      },
      status: 413,
      says: `at most ${MAX_BATCH_CALLS}`,
    },
    { name: "a body over the limit", req: post("topic.start", { topic: "x".repeat(MAX_BODY_BYTES + 10) }), status: 413, says: "larger than" },
    { name: "a body that is not JSON", req: { method: "POST", url: "/api/trpc/topic.start", headers: JSON_HEADERS, body: "{topic:" }, status: 400 },
    // ---- topic.start ----
    { name: "start: NUL in the topic", req: post("topic.start", { topic: `Chee${NUL}ses` }), status: 400, field: "topic", says: "NUL" },
    { name: "start: a lone surrogate in the topic", req: post("topic.start", { topic: `Cheeses ${LONE}` }), status: 400, field: "topic", says: "surrogate" },
    { name: "start: a topic too long", req: post("topic.start", { topic: "x".repeat(5000) }), status: 400, field: "topic" },
    { name: "start: a topic of the wrong type", req: post("topic.start", { topic: 42 }), status: 400, field: "topic" },
    { name: "start: producers beyond int4", req: post("topic.start", { topic: "birds", producers: 2 ** 31 }), status: 400, field: "producers" },
    { name: "start: producers as a string", req: post("topic.start", { topic: "birds", producers: "3" }), status: 400, field: "producers" },
    { name: "start: a fractional request size", req: post("topic.start", { topic: "birds", requestSize: 10.5 }), status: 400, field: "requestSize" },
    { name: "start: maxEntries overflowing", req: post("topic.start", { topic: "birds", stop: { maxEntries: 1e12 } }), status: 400, field: "stop.maxEntries" },
    {
      name: "start: an unknown simulator model",
      req: post("topic.start", { topic: "birds", providers: [{ provider: "sim", model: "sim-gpt-9" }] }),
      status: 400,
      field: "providers.0.model",
      says: "unknown simulator model",
    },
    {
      name: "start: a model name that is a path",
      req: post("topic.start", { topic: "birds", providers: [{ provider: "openai", model: "../../etc/passwd" }] }),
      status: 400,
      field: "providers.0.model",
    },
    {
      name: "start: a model name with a NUL",
      req: post("topic.start", { topic: "birds", providers: [{ provider: "sim", model: `sim-strong${NUL}` }] }),
      status: 400,
      field: "providers.0.model",
    },
    {
      name: "start: an unknown provider",
      req: post("topic.start", { topic: "birds", providers: [{ provider: "acme", model: "large" }] }),
      status: 400,
      field: "providers.0.provider",
    },
    {
      name: "start: a real model without a price",
      req: post("topic.start", { topic: "birds", providers: [{ provider: "openai", model: "my-local-model" }] }),
      status: 400,
      field: "providers.0.model",
      says: "no price",
    },
    {
      name: "start: a price of the wrong shape",
      req: post("topic.start", { topic: "birds", providers: [{ provider: "openai", model: "my-local-model", price: { input: 1 } }] }),
      status: 400,
      field: "providers.0.price",
    },
    {
      name: "start: a provider whose key is missing",
      req: post("topic.start", { topic: "birds", providers: [{ provider: "anthropic", model: "claude-haiku-4-5" }] }),
      status: 400,
      says: "ANTHROPIC_API_KEY",
    },
    {
      name: "start: a negative weight",
      req: post("topic.start", { topic: "birds", providers: [{ provider: "sim", model: "sim-strong", weight: -1 }] }),
      status: 400,
      field: "providers.0.weight",
    },
    { name: "start: an unknown exploration", req: post("topic.start", { topic: "birds", exploration: "deep" }), status: 400, field: "exploration" },
    {
      name: "start: an unknown breakdown model",
      req: post("topic.start", { topic: "birds", tree: { breakdownModel: { provider: "sim", model: "sim-gpt-9" } } }),
      status: 400,
      field: "tree.breakdownModel.model",
    },
    {
      name: "start: a breakdown model whose key is missing",
      req: post("topic.start", { topic: "birds", tree: { breakdownModel: { provider: "anthropic", model: "claude-haiku-4-5" } } }),
      status: 400,
      says: "tree.breakdownModel.provider",
    },
    { name: "start: an unknown tree setting", req: post("topic.start", { topic: "birds", tree: { depth: 9 } }), status: 400, field: "tree" },
    // ---- topic.tree and its edits ----
    { name: "tree: NUL in runId", req: get("topic.tree", { runId: `a${NUL}` }), status: 400, field: "runId" },
    { name: "tree: a run that does not exist", req: get("topic.tree", { runId: "no-such-run" }), status: 404 },
    {
      name: "addBranch: NUL in the label",
      req: post("topic.addBranch", { runId: "RUN", parentId: 0, label: `Soft${NUL}` }),
      status: 400,
      field: "label",
      says: "NUL",
    },
    { name: "addBranch: a blank label", req: post("topic.addBranch", { runId: "RUN", parentId: 0, label: "   " }), status: 400, field: "label" },
    { name: "addBranch: a label too long", req: post("topic.addBranch", { runId: "RUN", parentId: 0, label: "x".repeat(500) }), status: 400, field: "label" },
    {
      name: "addBranch: a negative parentId",
      req: post("topic.addBranch", { runId: "RUN", parentId: -1, label: "Soft cheeses" }),
      status: 400,
      field: "parentId",
    },
    {
      name: "addBranch: a parent that does not exist",
      req: post("topic.addBranch", { runId: "RUN", parentId: 99_999, label: "Soft cheeses" }),
      status: 404,
      says: "parentId",
    },
    {
      name: "addBranch: a run that is not active",
      req: post("topic.addBranch", { runId: "no-such-run", parentId: 0, label: "Soft cheeses" }),
      status: 400,
      says: "runId",
    },
    {
      name: "addBranch: the topic itself as a label",
      req: post("topic.addBranch", { runId: "RUN", parentId: 0, label: "Cheeses of France" }),
      status: 400,
      says: "label",
    },
    { name: "pruneBranch: the root", req: post("topic.pruneBranch", { runId: "RUN", branchId: 0 }), status: 400, says: "branchId" },
    { name: "pruneBranch: a branch that does not exist", req: post("topic.pruneBranch", { runId: "RUN", branchId: 99_999 }), status: 404, says: "branchId" },
    {
      name: "unpruneBranch: a branch that is not pruned",
      req: post("topic.unpruneBranch", { runId: "RUN", branchId: 0 }),
      status: 400,
      says: "branchId: branch 0 is not pruned",
    },
    {
      name: "unpruneBranch: a branch that does not exist",
      req: post("topic.unpruneBranch", { runId: "RUN", branchId: 99_999 }),
      status: 404,
      says: "branchId",
    },
    { name: "deleteRun: the active run", req: post("topic.deleteRun", { runId: "RUN" }), status: 409, says: "runId: run" },
    { name: "deleteRun: a run that does not exist", req: post("topic.deleteRun", { runId: "no-such-run" }), status: 404, says: "runId" },
    { name: "deleteRun: files as a string", req: post("topic.deleteRun", { runId: "no-such-run", files: "yes" }), status: 400, field: "files" },
    { name: "importRun: no lines", req: post("topic.importRun", { topic: "Blue cheeses", lines: [] }), status: 400, field: "lines" },
    { name: "importRun: a NUL in a line", req: post("topic.importRun", { topic: "Blue cheeses", lines: ["Roquefort\u0000"] }), status: 400, says: "NUL" },
    { name: "importRun: a topic that has a run", req: post("topic.importRun", { topic: "Cheeses of France", lines: ["Brie"] }), status: 409, says: "topic" },
    {
      name: "importRun: adding to a run that is not an import",
      req: post("topic.importRun", { topic: "Cheeses of France", lines: ["Brie"], runId: "RUN" }),
      status: 409,
      says: "runId",
    },
    { name: "pinBranch: branchId beyond int4", req: post("topic.pinBranch", { runId: "RUN", branchId: 2 ** 31 }), status: 400, field: "branchId" },
    { name: "pinBranch: branchId as a string", req: post("topic.pinBranch", { runId: "RUN", branchId: "1" }), status: 400, field: "branchId" },
    { name: "entries: a negative branchId", req: get("topic.entries", { runId: "x", branchId: -1 }), status: 400, field: "branchId" },
    {
      name: "start: an unknown simulated judge model",
      req: post("topic.start", { topic: "birds", judge: { enabled: true, provider: "sim", model: "sim-huge" } }),
      status: 400,
      field: "judge.model",
    },
    {
      name: "start: an unknown judge field",
      req: post("topic.start", { topic: "birds", judge: { enabled: true, temperature: 2 } }),
      status: 400,
      field: "judge",
    },
    {
      name: "start: a judge whose key is missing",
      req: post("topic.start", { topic: "birds", judge: { enabled: true, provider: "anthropic" } }),
      status: 400,
      says: "ANTHROPIC_API_KEY",
    },
    // ---- topic.entries, topic.list ----
    { name: "entries: NUL in runId", req: get("topic.entries", { runId: `a${NUL}b` }), status: 400, field: "runId" },
    { name: "entries: NUL in search", req: get("topic.entries", { runId: "x", search: `a${NUL}` }), status: 400, field: "search", says: "NUL" },
    { name: "entries: a lone surrogate in search", req: get("topic.entries", { runId: "x", search: LONE }), status: 400, field: "search" },
    { name: "entries: before beyond int4", req: get("topic.entries", { runId: "x", before: 2 ** 31 }), status: 400, field: "before" },
    { name: "entries: a limit of 0", req: get("topic.entries", { runId: "x", limit: 0 }), status: 400, field: "limit" },
    { name: "entries: a limit too large", req: get("topic.entries", { runId: "x", limit: 1_000_000 }), status: 400, field: "limit" },
    { name: "entries: a runId of the wrong type", req: get("topic.entries", { runId: 7 }), status: 400, field: "runId" },
    { name: "entries: a run that does not exist", req: get("topic.entries", { runId: "no-such-run" }), status: 404 },
    { name: "list: a limit too large", req: get("topic.list", { limit: 201 }), status: 400, field: "limit" },
    // ---- metrics, optimization ----
    { name: "live: an interval below the minimum", req: get("metrics.live", { minIntervalMs: 1 }), status: 400, field: "minIntervalMs" },
    { name: "samples: NUL in runId", req: get("metrics.samples", { runId: NUL }), status: 400, field: "runId" },
    { name: "samples: a limit beyond int4", req: get("metrics.samples", { runId: "x", limit: INT4_MAX + 1 }), status: 400, field: "limit" },
    { name: "events: NUL in kind", req: get("optimization.events", { runId: "x", kind: `run${NUL}` }), status: 400, field: "kind" },
    { name: "events: a lone surrogate in runId", req: get("optimization.events", { runId: LONE }), status: 400, field: "runId" },
    { name: "events: a limit too large", req: get("optimization.events", { runId: "x", limit: 5000 }), status: 400, field: "limit" },
    // ---- dedup.* ----
    { name: "review: an unknown kind", req: get("dedup.review", { runId: "RUN", kind: "all" }), status: 400, field: "kind" },
    { name: "review: NUL in runId", req: get("dedup.review", { runId: `a${NUL}`, kind: "merged" }), status: 400, field: "runId" },
    { name: "review: a limit too large", req: get("dedup.review", { runId: "RUN", kind: "merged", limit: 501 }), status: 400, field: "limit" },
    { name: "review: a cursor of 0", req: get("dedup.review", { runId: "RUN", kind: "possible", cursor: 0 }), status: 400, field: "cursor" },
    { name: "review: a run that does not exist", req: get("dedup.review", { runId: "no-such-run", kind: "possible" }), status: 404, says: "runId" },
    { name: "merge: seq beyond int4", req: post("dedup.merge", { runId: "RUN", seq: 2 ** 31, intoSeq: 1 }), status: 400, field: "seq" },
    { name: "merge: a missing intoSeq", req: post("dedup.merge", { runId: "RUN", seq: 2 }), status: 400, field: "intoSeq" },
    { name: "merge: an entry into itself", req: post("dedup.merge", { runId: "RUN", seq: 1, intoSeq: 1 }), status: 400, says: "seq" },
    { name: "merge: the earlier entry into the later", req: post("dedup.merge", { runId: "RUN", seq: 1, intoSeq: 2 }), status: 400, says: "seq" },
    { name: "merge: an entry that does not exist", req: post("dedup.merge", { runId: "RUN", seq: 999_999, intoSeq: 1 }), status: 404, says: "seq" },
    { name: "restore: a decisionId of the wrong type", req: post("dedup.restore", { runId: "RUN", decisionId: "1" }), status: 400, field: "decisionId" },
    { name: "restore: a decision that does not exist", req: post("dedup.restore", { runId: "RUN", decisionId: 999_999 }), status: 404, says: "decisionId" },
    // ---- the download route (the Next app's, src/server/download.ts; Next's own router is covered by src/proxy.ts) ----
    { name: "download: a run id that is not percent-encoding (%ZZ)", req: { method: "GET", url: "/api/runs/%ZZ/download" }, status: 400, field: "runId" },
    { name: "download: a lone surrogate in the run id (%ED%A0%80)", req: { method: "GET", url: "/api/runs/%ED%A0%80/download" }, status: 400, field: "runId" },
    { name: "download: an escape cut short (%E2%82)", req: { method: "GET", url: "/api/runs/%E2%82/download?format=csv" }, status: 400, field: "runId" },
    { name: "download: NUL in the run id", req: { method: "GET", url: "/api/runs/a%00b/download" }, status: 400, field: "runId" },
    { name: "download: an unknown format", req: { method: "GET", url: "/api/runs/RUN/download?format=pdf" }, status: 400, field: "format" },
    { name: "download: a run that does not exist", req: { method: "GET", url: "/api/runs/no-such-run/download" }, status: 404, field: "runId" },
    // ---- producer.* ----
    { name: "hello without the run secret", req: post("producer.hello", { runId: "RUN", producer: "p9" }), status: 401, says: "secret" },
    {
      name: "hello with a wrong secret",
      req: post("producer.hello", { runId: "RUN", producer: "p9" }, { "x-igentai-secret": "wrong" }),
      status: 401,
      says: "secret",
    },
    {
      name: "sync with a wrong secret",
      req: post("producer.sync", { runId: "RUN", producer: "p9", sinceSeq: 0 }, { "x-igentai-secret": "wrong" }),
      status: 401,
    },
    {
      name: "submit with a wrong secret",
      req: post("producer.submit", { runId: "RUN", producer: "p9", batchId: "b1", candidates: ["Brie"], sinceSeq: 0 }, { "x-igentai-secret": "wrong" }),
      status: 401,
    },
    {
      name: "report with a wrong secret",
      req: post("producer.report", { runId: "RUN", producer: "p9", level: "fatal", message: "x" }, { "x-igentai-secret": "wrong" }),
      status: 401,
    },
    {
      name: "hello: NUL in runId",
      req: post("producer.hello", { runId: `RUN${NUL}`, producer: "p9" }, { "x-igentai-secret": SECRET }),
      status: 400,
      field: "runId",
    },
    {
      name: "hello: a producer name with a slash",
      req: post("producer.hello", { runId: "RUN", producer: "../p9" }, { "x-igentai-secret": SECRET }),
      status: 400,
      field: "producer",
    },
    {
      name: "sync: sinceSeq beyond int4",
      req: post("producer.sync", { runId: "RUN", producer: "p9", sinceSeq: 2 ** 31 }, { "x-igentai-secret": SECRET }),
      status: 400,
      field: "sinceSeq",
    },
    {
      name: "submit: too many candidates",
      req: post(
        "producer.submit",
        { runId: "RUN", producer: "p9", batchId: "b1", candidates: Array(MAX_CANDIDATES_PER_BATCH + 1).fill("x"), sinceSeq: 0 },
        { "x-igentai-secret": SECRET },
      ),
      status: 400,
      field: "candidates",
    },
    {
      name: "submit: a candidate too long",
      req: post(
        "producer.submit",
        { runId: "RUN", producer: "p9", batchId: "b1", candidates: ["x".repeat(MAX_CANDIDATE_CHARS + 1)], sinceSeq: 0 },
        { "x-igentai-secret": SECRET },
      ),
      status: 400,
      field: "candidates.0",
    },
    {
      name: "submit: NUL in batchId",
      req: post("producer.submit", { runId: "RUN", producer: "p9", batchId: `b${NUL}`, candidates: [], sinceSeq: 0 }, { "x-igentai-secret": SECRET }),
      status: 400,
      field: "batchId",
    },
    {
      name: "submit: token counts beyond int4",
      req: post(
        "producer.submit",
        {
          runId: "RUN",
          producer: "p9",
          batchId: "b1",
          candidates: [],
          sinceSeq: 0,
          call: { callId: "c1", provider: "sim", model: "sim-strong", startedAt: 0, latencyMs: 1, promptTokens: 2 ** 31, completionTokens: 1, itemsParsed: 0 },
        },
        { "x-igentai-secret": SECRET },
      ),
      status: 400,
      field: "call.promptTokens",
    },
    {
      name: "report: an unknown level",
      req: post("producer.report", { runId: "RUN", producer: "p9", level: "panic", message: "x" }, { "x-igentai-secret": SECRET }),
      status: 400,
      field: "level",
    },
  ];

  it("answers every bad request with its 4xx, naming the field, and changes nothing", async () => {
    const failures: string[] = [];
    for (const c of cases()) {
      const req = { ...c.req, url: c.req.url.replace(/RUN/g, runId) };
      if (req.body !== undefined) req.body = req.body.replace(/"RUN"/g, JSON.stringify(runId));
      const a = await request(port, req.method, req.url, { headers: req.headers, body: req.body });
      const problems: string[] = [];
      if (a.status !== c.status) problems.push(`status ${a.status}, expected ${c.status}`);
      if (c.field && !fieldsOf(a).includes(c.field) && !messageOf(a).includes(c.field))
        problems.push(`does not name ${c.field} (${JSON.stringify(fieldsOf(a))})`);
      if (c.says && !(typeof c.says === "string" ? messageOf(a).toLowerCase().includes(c.says.toLowerCase()) : c.says.test(messageOf(a))))
        problems.push(`message ${JSON.stringify(messageOf(a).slice(0, 200))} lacks ${String(c.says)}`);
      // Never an internal error, a stack or database text.
      if (/prisma|postgres|pglite|\bat .+\.(ts|js):\d+/i.test(a.body)) problems.push(`leaks internals: ${a.body.slice(0, 200)}`);
      if (problems.length > 0) failures.push(`${c.name}: ${problems.join("; ")}`);
    }
    expect(failures).toEqual([]);
    expect(await state()).toEqual(before);
    // The run's tree took no hand-made branch, prune or pin from the refused edits.
    const tree = await h.app.orchestrator.tree(runId);
    expect(tree?.branches.filter((b) => b.id !== 0 && b.state !== "open" && b.state !== "saturated")).toEqual([]);
    expect(tree?.branches.map((b) => b.label)).not.toContain("Soft cheeses");
    const status = await request(port, "GET", "/api/trpc/topic.status");
    expect(status.json.result.data.state).toBe("running");
    expect(status.json.result.data.run.id).toBe(runId);
  });

  it("downloads a run's entries through the same route", async () => {
    const a = await request(port, "GET", `/api/runs/${encodeURIComponent(runId)}/download?format=txt`);
    expect(a.status).toBe(200);
    const lines = a.body.split("\n").filter(Boolean);
    expect(lines.length).toBeGreaterThanOrEqual(10);
    const first = await h.app.db.prisma.entry.findMany({ where: { runId }, orderBy: { seq: "asc" }, take: 10, select: { text: true } });
    expect(lines.slice(0, 10)).toEqual(first.map((e) => e.text));
  });

  it("accepts a producer submission of the largest size within the body limit", () => {
    // Every candidate at its longest, of a character JSON escapes to 6 bytes.
    const body = JSON.stringify({
      runId,
      producer: "p1",
      batchId: "b".repeat(80),
      candidates: Array(MAX_CANDIDATES_PER_BATCH).fill("\u0001".repeat(MAX_CANDIDATE_CHARS)),
      sinceSeq: INT4_MAX,
      call: {
        callId: "c".repeat(64),
        provider: "anthropic",
        model: "m".repeat(100),
        startedAt: Date.now(),
        latencyMs: INT4_MAX,
        promptTokens: INT4_MAX,
        completionTokens: INT4_MAX,
        itemsParsed: INT4_MAX,
        error: { kind: "other", message: "\u0001".repeat(500), status: 500 },
      },
    });
    expect(Buffer.byteLength(body)).toBeLessThan(MAX_BODY_BYTES);
  });

  it("cleans NUL and lone surrogates out of a model's candidates instead of refusing the batch", async () => {
    const a = await request(port, "POST", "/api/trpc/producer.submit", {
      headers: { ...JSON_HEADERS, "x-igentai-secret": SECRET },
      body: JSON.stringify({ runId, producer: "p9", batchId: "nul-batch", candidates: [`Nul${NUL}chatel Zz`, `Lone${LONE}ly Zz`], sinceSeq: 0 }),
    });
    expect(a.status).toBe(200);
    const stored = await h.app.db.prisma.entry.findMany({ where: { runId, text: { in: ["Nulchatel Zz", "Lonely Zz"] } }, select: { text: true } });
    expect(stored.map((e) => e.text).sort()).toEqual(["Lonely Zz", "Nulchatel Zz"]);
  });

  it("with a token configured, refuses requests without it or with a wrong one; producers still need only their secret", async () => {
    const guarded = await serveApi(() => h.app, 0, { allowedHosts: [], token: TOKEN });
    try {
      const gport = guarded.port;
      const runs = await h.app.db.prisma.run.count();
      const table: Array<[string, Record<string, string>, string, number]> = [
        ["no token", {}, "/api/trpc/topic.status", 401],
        ["a wrong token", { authorization: "Bearer not-the-token" }, "/api/trpc/topic.status", 401],
        ["the token as a Basic credential", { authorization: `Basic ${TOKEN}` }, "/api/trpc/topic.status", 401],
        ["the right token", { authorization: `Bearer ${TOKEN}` }, "/api/trpc/topic.status", 200],
        ["the right token in the query (EventSource, downloads)", {}, `/api/trpc/topic.status?token=${TOKEN}`, 200],
        ["a wrong token in the query", {}, "/api/trpc/topic.status?token=nope", 401],
      ];
      for (const [name, headers, url, status] of table) {
        const a = await request(gport, "GET", url, { headers });
        expect({ name, status: a.status }).toEqual({ name, status });
      }
      const stop = await request(gport, "POST", "/api/trpc/topic.stop", { headers: JSON_HEADERS });
      expect(stop.status).toBe(401);
      const startWrong = await request(gport, "POST", "/api/trpc/topic.start", {
        headers: { ...JSON_HEADERS, authorization: "Bearer wrong" },
        body: JSON.stringify({ topic: "birds" }),
      });
      expect(startWrong.status).toBe(401);
      const producer = await request(gport, "POST", "/api/trpc/producer.sync", {
        headers: { ...JSON_HEADERS, "x-igentai-secret": SECRET },
        body: JSON.stringify({ runId, producer: "p9", sinceSeq: 0 }),
      });
      expect(producer.status).toBe(200);
      const producerWrong = await request(gport, "POST", "/api/trpc/producer.sync", {
        headers: { ...JSON_HEADERS, "x-igentai-secret": "wrong" },
        body: JSON.stringify({ runId, producer: "p9", sinceSeq: 0 }),
      });
      expect(producerWrong.status).toBe(401);
      expect(await h.app.db.prisma.run.count()).toBe(runs);
      expect(h.app.orchestrator.snapshot().run?.id ?? null).toBe(runId);
    } finally {
      await guarded.close();
    }
  });
});
