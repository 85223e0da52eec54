import { randomUUID } from "node:crypto";
import { errorMessage } from "../../lib/errors";
import type { CallRecord } from "../../lib/protocol";
import { decide, nextVerifier, type TrustVerdict } from "../../lib/trust/policy";
import { buildVerifyPrompt, MAX_VERIFY_ITEMS, parseVerifyAnswer, type Opinion } from "../../lib/trust/verify-prompt";
import { LlmCallError, type LlmClient } from "../producer/llm/types";
import type { SideCalls, SideLane } from "./side-calls";

/** A committed entry waiting for (another) verifier's opinion. */
export type VerifyItem = {
  seq: number;
  text: string;
  branchId: number | null;
  /** Not sent before this time: re-proposals have a chance to add support first. */
  readyAt: number;
  /** provider:model labels asked so far, and what they said. */
  asked: string[];
  opinions: Opinion[];
  /** Calls that gave it no opinion so far. */
  failures?: number;
};

export type VerifyStats = {
  calls: number;
  failedCalls: number;
  checked: number;
  opinions: Record<Opinion, number>;
  verdicts: Record<TrustVerdict, number>;
  costUsd: number;
  /** Batches that waited because the side-call budget was spent. */
  budgetWaits: number;
};

export type VerifyQueueDeps = {
  topic: string;
  side: SideCalls;
  /** The SDK client of a provider:model label, or undefined when it cannot be reached. */
  client: (label: string) => LlmClient | undefined;
  /** provider:model labels that may verify, best-informed first. */
  verifiers: () => readonly string[];
  /** Models that proposed an entry (never its verifier) and how many there are. */
  proposers: (text: string) => readonly string[];
  /** Labels from the root's first subtopic down to the branch (empty: the root or a flat run). */
  pathOf: (branchId: number | null) => string[];
  /** Whether a call estimated at `usd` fits the run's side-call budget now. */
  affordable: (usd: number) => boolean;
  /** False once the entry was merged away (nothing to verify). */
  isEntry: (seq: number, text: string) => boolean;
  costOf: (call: CallRecord) => number;
  /** Stores and counts the call (llm_calls, producer "verify"). */
  onCall: (call: CallRecord, costUsd: number) => Promise<void>;
  /** Stores the opinions one call gave (entry_checks). */
  onOpinions: (callId: string, label: string, opinions: Array<{ item: VerifyItem; opinion: Opinion }>) => Promise<void>;
  /** Verdicts one call's opinions reached (stored together; rejected entries leave output.txt). */
  onVerdicts: (verdicts: Array<{ item: VerifyItem; verdict: TrustVerdict }>) => Promise<void>;
  settleMs: number;
  timeoutMs: number;
  clock: () => number;
  log: (level: "info" | "warn" | "error", message: string) => void;
};

/** Calls without an opinion on an entry before it is left unverified. */
const MAX_FAILURES = 3;
/** Entries waiting beyond this are not verified (they stay in output.txt, unverified). */
const MAX_QUEUED = 50_000;

/**
 * The run's verifier: committed entries are checked in batches, after a short settle time, by a
 * model other than the ones that proposed them ("which of these are real members of <topic>
 * (<branch path>)?", answered by id); half-decided entries first, then those several models
 * proposed (cheap to settle; off-topic lines recur across models), then single-model ones. Opinions add up in policy.ts: an entry gets a second or third
 * opinion until it is verified, rejected or unsure. A lane of the run's side calls (shared with
 * the dedup judge: concurrency and budget). A failed call leaves its entries unverified.
 */
export class VerifyQueue implements SideLane {
  readonly stats: VerifyStats = {
    calls: 0,
    failedCalls: 0,
    checked: 0,
    opinions: { yes: 0, no: 0, off: 0, unsure: 0 },
    verdicts: { verified: 0, rejected: 0, unsure: 0 },
    costUsd: 0,
    budgetWaits: 0,
  };
  /** New entries in commit order (readyAt ascending), and entries due another opinion (ready now). */
  private fresh: VerifyItem[] = [];
  private again: VerifyItem[] = [];
  private closed = false;
  /** USD per checked entry of each verifier's last call: the next call's estimate. */
  private readonly perItemUsd = new Map<string, number>();
  private noVerifierLogged = false;

  constructor(private readonly deps: VerifyQueueDeps) {
    deps.side.add(this);
  }

  get pending(): number {
    return this.fresh.length + this.again.length;
  }

  /** Committed entries, to be checked once they settled. */
  enqueue(rows: ReadonlyArray<{ seq: number; text: string; branchId?: number | null }>): void {
    if (this.closed || rows.length === 0) return;
    const readyAt = this.deps.clock() + this.deps.settleMs;
    for (const r of rows) {
      if (this.pending >= MAX_QUEUED) break;
      this.fresh.push({ seq: r.seq, text: r.text, branchId: r.branchId ?? null, readyAt, asked: [], opinions: [] });
    }
    this.deps.side.pump();
  }

  /** Stopping: everything waiting is sent now (no settle time), for at most `ms`. */
  async drain(ms: number): Promise<void> {
    if (this.closed) return;
    for (const item of this.fresh) item.readyAt = 0;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.deps.side.idle(), new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
    clearTimeout(timer);
  }

  close(): void {
    this.closed = true;
    this.fresh = [];
    this.again = [];
  }

  take(flush: boolean): (() => Promise<void>) | null {
    if (this.closed || this.pending === 0) return null;
    const now = this.deps.clock();
    let lo = 0;
    let hi = this.fresh.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.fresh[mid]!.readyAt <= now) lo = mid + 1;
      else hi = mid;
    }
    if (this.again.length + lo === 0 || (!flush && this.again.length + lo < MAX_VERIFY_ITEMS)) return null;
    // Entries merged away since have nothing left to verify.
    const gone = new Set<VerifyItem>();
    const ready: VerifyItem[] = [];
    for (const i of [...this.again, ...this.fresh.slice(0, lo)]) {
      if (this.deps.isEntry(i.seq, i.text)) ready.push(i);
      else gone.add(i);
    }
    if (gone.size > 0) this.remove(gone);
    if (ready.length === 0) return null;
    const verifiers = this.deps.verifiers();
    // Entries due another opinion first (their verdict is half made), then entries several models
    // proposed (one opinion settles most: the on-topic guard, since off-topic lines recur across
    // models), then single-model ones (where inventions are), each in commit order.
    const models = new Map(ready.map((i) => [i, this.deps.proposers(i.text)] as const));
    const rank = (i: VerifyItem) => (i.opinions.length > 0 ? 0 : models.get(i)!.length >= 2 ? 1 : 2);
    ready.sort((a, b) => rank(a) - rank(b) || a.readyAt - b.readyAt);
    const labelOf = (i: VerifyItem) => nextVerifier(verifiers, models.get(i)!, i.asked);
    const label = ready.map(labelOf).find((l) => l !== null) ?? null;
    if (label === null) {
      if (!this.noVerifierLogged) this.deps.log("warn", "verification: no model other than the proposers to verify with");
      this.noVerifierLogged = true;
      return null;
    }
    const batch = ready.filter((i) => labelOf(i) === label).slice(0, MAX_VERIFY_ITEMS);
    if (batch.length < MAX_VERIFY_ITEMS && !flush) return null;
    const client = this.deps.client(label);
    if (!client) return null;
    const estimate = (this.perItemUsd.get(label) ?? 0) * batch.length;
    if (!this.deps.affordable(estimate)) {
      this.stats.budgetWaits++;
      return null;
    }
    this.remove(new Set(batch));
    return () => this.call(label, client, batch).catch((err: unknown) => this.deps.log("error", `verification: ${errorMessage(err)}`));
  }

  private remove(items: ReadonlySet<VerifyItem>): void {
    this.again = this.again.filter((i) => !items.has(i));
    this.fresh = this.fresh.filter((i) => !items.has(i));
  }

  private async call(label: string, client: LlmClient, batch: VerifyItem[]): Promise<void> {
    const ids = batch.map((_, i) => `v${i + 1}`);
    // The batch's common branch path: a mixed batch is asked about the branches they share.
    const paths = batch.map((i) => this.deps.pathOf(i.branchId));
    const path: string[] = [];
    for (let d = 0; paths.every((p) => p[d] !== undefined && p[d] === paths[0]![d]); d++) path.push(paths[0]![d]!);
    const prompt = buildVerifyPrompt({ topic: this.deps.topic, path, items: batch.map((i, k) => ({ id: ids[k]!, text: i.text })) });
    const started = this.deps.clock();
    const record: CallRecord = {
      callId: randomUUID(),
      provider: client.provider,
      model: client.model,
      startedAt: started,
      latencyMs: 0,
      promptTokens: 0,
      completionTokens: 0,
      itemsParsed: 0,
    };
    let answers = new Map<string, Opinion>();
    try {
      const res = await client.stream({
        system: prompt.system,
        user: prompt.user,
        // Only the doubted ids are listed: "no: v3 v17" is a few tokens per id.
        maxTokens: 32 + 4 * batch.length,
        signal: AbortSignal.any([this.deps.side.signal, AbortSignal.timeout(this.deps.timeoutMs)]),
        onText: () => undefined,
      });
      answers = parseVerifyAnswer(res.text, ids);
      record.promptTokens = res.promptTokens ?? Math.ceil((prompt.system.length + prompt.user.length) / 4);
      record.completionTokens = res.completionTokens ?? Math.ceil(res.text.length / 4);
      record.itemsParsed = answers.size;
    } catch (err) {
      const kind = err instanceof LlmCallError ? err.kind : "network";
      record.error = { kind, message: errorMessage(err).slice(0, 500) };
      record.promptTokens = Math.ceil((prompt.system.length + prompt.user.length) / 4);
      this.stats.failedCalls++;
    }
    record.latencyMs = Math.max(0, this.deps.clock() - started);
    const costUsd = this.deps.costOf(record);
    this.stats.calls++;
    this.stats.costUsd += costUsd;
    this.perItemUsd.set(label, costUsd / batch.length);
    await this.deps.onCall(record, costUsd);
    const given: Array<{ item: VerifyItem; opinion: Opinion }> = [];
    const unanswered: VerifyItem[] = [];
    for (const [k, item] of batch.entries()) {
      const opinion = answers.get(ids[k]!);
      if (opinion === undefined) {
        // A failed call (rate limit, timeout) or an id the answer skipped: asked again, a few times.
        item.failures = (item.failures ?? 0) + 1;
        if (item.failures <= MAX_FAILURES) unanswered.push(item);
        continue;
      }
      item.asked.push(label);
      item.opinions.push(opinion);
      this.stats.checked++;
      this.stats.opinions[opinion]++;
      given.push({ item, opinion });
    }
    if (given.length > 0) await this.deps.onOpinions(record.callId, label, given);
    if (this.closed || this.deps.side.isClosed) return;
    const again: VerifyItem[] = [...unanswered];
    const decided: Array<{ item: VerifyItem; verdict: TrustVerdict }> = [];
    for (const { item } of given) {
      const verdict = decide({ models: this.deps.proposers(item.text).length, opinions: item.opinions });
      if (verdict === null) again.push(item);
      else {
        this.stats.verdicts[verdict]++;
        decided.push({ item, verdict });
      }
    }
    if (decided.length > 0) await this.deps.onVerdicts(decided).catch((err: unknown) => this.deps.log("warn", `verdicts: ${errorMessage(err)}`));
    // Another opinion is due at once: the entry has settled.
    for (const item of again) if (this.pending < MAX_QUEUED) this.again.push(item);
  }
}
