import { errorMessage } from "../../lib/errors";
import { decide, type Evidence, wantsOnTopicCheck, type TrustVerdict } from "../../lib/trust/policy";
import type { DrainReport, VerifyItem, VerifyQueueDeps } from "./verify-types";
import { MAX_FAILURES, MAX_QUEUED, MIN_SPLIT_BATCH, PARTIAL_AFTER_MS, RECHECK_EVERY_MS } from "./verify-types";
import { batchesByVerifier, byValue, firstCheckWorth, sortForService, verifierOf, verifiersToAsk } from "../../lib/trust/verifier-choice";
import { kindOf, VerifierModel } from "../../lib/trust/verifier-model";
import { emptyVerifyStats, type VerifyStats } from "../../lib/trust/verify-stats";
import { buildVerifyBatch, MAX_VERIFY_ITEMS, parseVerifyAnswer, type Opinion, type VerifyBatch } from "../../lib/trust/verify-prompt";
import type { LlmClient } from "../producer/llm/types";
import { sendSideCall, type SideLane } from "./side-calls";
import { countAtMost } from "../../lib/sorted";

/**
 * The run's verifier: committed entries are checked in batches, after a short settle time, by a
 * model other than the ones that proposed them ("which of these are real members of <topic>
 * (<branch path>)?", answered by id), in the order and by the verifiers verifier-choice.ts
 * chooses. Opinions add up in policy.ts: an entry gets another opinion, from a model not asked
 * yet, until it is verified, rejected or unsure. A lane of the run's side calls (shared with the
 * dedup judge: concurrency and budget). A failed call leaves its entries unverified.
 */
export class VerifyQueue implements SideLane {
  readonly stats: VerifyStats = emptyVerifyStats();
  /** New entries in commit order (readyAt ascending), and entries due another opinion (ready now). */
  private fresh: VerifyItem[] = [];
  private again: VerifyItem[] = [];
  private closed = false;
  private draining = false;
  /** What each verifier's word and each kind of entry are worth, learnt from the run's opinions. */
  private readonly model = new VerifierModel();
  /** Rejected entries only one model had proposed (see recheckRejected). */
  private rejectedAlone: VerifyItem[] = [];
  private recheckedAt = 0;
  private readonly unitPrices = new Map<string, number>();
  private noVerifierLogged = false;
  /** The calls in flight: their estimated USD (the budget counts it before they are costed) and entries. */
  private readonly inFlight = { usd: 0, entries: 0 };
  private lastOpinionAt = 0;
  private endDrain: ((why: DrainReport["ended"]) => void) | undefined;
  private cutAsked = false;

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
      this.fresh.push({ seq: r.seq, text: r.text, branchId: r.branchId ?? null, readyAt, asked: [], opinions: [], kind: "", anchor: false });
    }
    this.deps.side.pump();
  }

  /**
   * Stopping: everything waiting is sent now (no settle time, partial batches, each next opinion
   * at once) until every entry has its verdict or the budget allows no more, for at most `maxMs`
   * and while calls give opinions (none for `stallMs`: a provider is down). Ended by cut().
   */
  async drain(maxMs: number, stallMs = maxMs): Promise<DrainReport> {
    const start = this.deps.clock();
    const { checked, budgetWaits } = this.stats;
    let ended: DrainReport["ended"] = this.cutAsked ? "cut" : "done";
    if (!this.closed && !this.cutAsked) {
      this.draining = true;
      this.lastOpinionAt = start;
      for (const item of this.fresh) item.readyAt = 0;
      let timer: NodeJS.Timeout | undefined;
      const bounded = new Promise<DrainReport["ended"]>((resolve) => {
        this.endDrain = resolve;
        const look = () => {
          const now = this.deps.clock();
          if (now - start >= maxMs) resolve("time");
          else if (now - this.lastOpinionAt >= stallMs) resolve("stalled");
          // Looked at again at the nearer bound (an opinion since moves the stall's one later).
          else timer = setTimeout(look, Math.min(start + maxMs, this.lastOpinionAt + stallMs) - now);
        };
        look();
      });
      ended = await Promise.race([this.deps.side.idle().then(() => "done" as const), bounded]);
      clearTimeout(timer);
      this.endDrain = undefined;
    }
    // Entries in calls still in flight are left too: the stop closes the side calls next.
    const left = this.pending + this.inFlight.entries;
    if (ended === "done" && left > 0 && this.stats.budgetWaits > budgetWaits) ended = "budget";
    return { ms: this.deps.clock() - start, checked: this.stats.checked - checked, left, ended, inventedShareByKind: this.model.inventedShares() };
  }

  /** Ends the stop's drain now, or before it starts (the user stopped the run again); calls in flight end with the side calls. */
  cut(): void {
    this.cutAsked = true;
    this.endDrain?.("cut");
  }

  close(): void {
    this.closed = true;
    this.fresh = [];
    this.again = [];
    this.rejectedAlone = [];
  }

  take(flush: boolean): (() => Promise<void>) | null {
    if (this.closed) return null;
    const now = this.deps.clock();
    if (now - this.recheckedAt >= RECHECK_EVERY_MS) this.recheckRejected(now);
    if (this.pending === 0) return null;
    const lo = countAtMost(this.fresh, (i) => i.readyAt, now);
    if (this.again.length + lo === 0 || (!flush && this.again.length + lo < MAX_VERIFY_ITEMS)) return null;
    // Entries merged away since have nothing left to verify.
    const gone = new Set<VerifyItem>();
    const ready: VerifyItem[] = [];
    for (const i of [...this.again, ...this.fresh.slice(0, lo)]) {
      if (this.follow(i)) ready.push(i);
      else gone.add(i);
    }
    if (gone.size > 0) this.remove(gone);
    if (ready.length === 0) return null;
    const support = new Map(ready.map((i) => [i, this.deps.support(i.text)] as const));
    const informed = byValue(this.deps.verifiers(), (label) => this.model.discrimination(label), this.unitPrice);
    const cheapest = [...informed].sort((a, b) => this.unitPrice(a) - this.unitPrice(b));
    // Each entry's next verifier, once: it prices the entry's place in the order and picks its batch.
    const labels = new Map(ready.map((i) => [i, verifierOf(support.get(i)!, i.asked, informed, cheapest)] as const));
    sortForService(ready, (i) => firstCheckWorth(support.get(i)!, labels.get(i)!, this.model, this.unitPrice));
    const groups = batchesByVerifier(ready, (i) => labels.get(i)!);
    if (groups.size === 0) {
      if (!this.noVerifierLogged) this.deps.log("warn", "verification: no model other than the proposers to verify with");
      this.noVerifierLogged = true;
      return null;
    }
    // Each verifier's batch in turn, in the order of their first entries: one that must wait (a
    // partial batch, its model unreachable) does not hold back another verifier's; one over the
    // budget holds back the rest (entries half decided must not starve behind new ones), except
    // in the stop's drain, when the budget no longer grows: what is left of it goes to any
    // batch that fits (a cheap model's on-topic checks; an off-topic line left unchecked when
    // its run stopped reached output.txt in 4 of 27 bench:trust runs).
    for (const [label, group] of groups) {
      // A partial batch (paying the instructions for few entries) goes once its oldest waited PARTIAL_AFTER_MS, or at the stop.
      if (group.length < MAX_VERIFY_ITEMS && !(flush && (this.draining || group.some((i) => i.readyAt <= now - PARTIAL_AFTER_MS)))) continue;
      const client = this.deps.client(label);
      if (!client) continue;
      // Over the budget, half the batch may still fit (a full batch of a dear model is a few % of a short run's spend).
      let batch = group;
      const build = () =>
        buildVerifyBatch(
          this.deps.topic,
          batch.map((i) => ({ text: i.text, path: this.deps.pathOf(i.branchId) })),
        );
      let request = build();
      const estimate = () => this.deps.priceOf(label, request.promptTokens, request.expectedTokens);
      // Calls in flight count at their estimate: several at once must not overrun the share together.
      const fits = () => this.deps.affordable(estimate() + this.inFlight.usd);
      while (!fits() && batch.length >= 2 * MIN_SPLIT_BATCH) {
        batch = batch.slice(0, batch.length >> 1);
        request = build();
      }
      if (!fits()) {
        this.stats.budgetWaits++;
        if (this.draining) continue;
        return null;
      }
      this.remove(new Set(batch));
      const held = { usd: estimate(), entries: batch.length };
      this.inFlight.usd += held.usd;
      this.inFlight.entries += held.entries;
      return () =>
        this.call(label, client, batch, request)
          .catch((err: unknown) => this.deps.log("error", `verification: ${errorMessage(err)}`))
          .finally(() => {
            this.inFlight.usd -= held.usd;
            this.inFlight.entries -= held.entries;
          });
    }
    return null;
  }

  /** A rejected single-model entry proposed again (another model, another call: SelfCheckGPT) is decided again as the kind it is now: restored, rejected, or asked again. */
  private recheckRejected(now: number): void {
    this.recheckedAt = now;
    const decided: Array<{ item: VerifyItem; verdict: TrustVerdict }> = [];
    const verifiers = this.deps.verifiers();
    this.rejectedAlone = this.rejectedAlone.filter((item) => {
      if (!this.follow(item)) return false;
      const s = this.deps.support(item.text);
      if (item.rechecked === s.calls && s.models.length < 2) return true;
      const verdict = decide(this.evidenceOf(item, s, verifiers));
      if (verdict === null && this.pending >= MAX_QUEUED) return true; // looked at again later
      item.rechecked = s.calls;
      // Still rejected on one model's calls: another model may yet propose it.
      if (verdict === "rejected") return s.models.length < 2;
      // Asked again (kept after that, it counts as restored then) or kept: no longer counted as rejected.
      this.stats.verdicts.rejected--;
      if (verdict === null) this.again.push(Object.assign(item, { readyAt: now, reopened: true }));
      else decided.push({ item, verdict });
      return false;
    });
    if (decided.length === 0) return;
    for (const { verdict } of decided) this.stats.verdicts[verdict]++;
    this.stats.restored += decided.length;
    void this.deps.onVerdicts(decided).catch((err: unknown) => this.deps.log("warn", `verdicts: ${errorMessage(err)}`));
  }

  /** The evidence on an entry with its support as it is now (its kind, for the verifier model, too): what `decide` weighs. */
  private evidenceOf(item: VerifyItem, s: { models: readonly string[]; calls: number; repeating?: boolean }, verifiers: readonly string[]): Evidence {
    item.kind = kindOf(s.models, s.calls, s.repeating);
    item.anchor = s.models.length >= 2;
    const moreVerifiers = verifiersToAsk(s, item.asked, verifiers, verifiers).length;
    return { models: s.models.length, calls: s.calls, opinions: item.opinions, pInvented: this.model.pInvented(item), moreVerifiers };
  }

  /** False once merged away; an entry renamed to its display form while queued ("The X" after "X") is followed (bench:trust: 62-79 a run were dropped, unverified). */
  private follow(item: VerifyItem): boolean {
    const text = this.deps.textOf(item.seq, item.text);
    if (text === undefined) return false;
    item.text = text;
    return true;
  }

  /** USD of a typical call of `label` (1,000 tokens in, 100 out): the order of verifiers by price. */
  private readonly unitPrice = (label: string): number => {
    let p = this.unitPrices.get(label);
    if (p === undefined) this.unitPrices.set(label, (p = this.deps.priceOf(label, 1_000, 100)));
    return p;
  };

  private remove(items: ReadonlySet<VerifyItem>): void {
    this.again = this.again.filter((i) => !items.has(i));
    this.fresh = this.fresh.filter((i) => !items.has(i));
  }

  private async call(label: string, client: LlmClient, batch: VerifyItem[], { ids, prompt, promptTokens, maxTokens }: VerifyBatch): Promise<void> {
    const signal = AbortSignal.any([this.deps.side.signal, AbortSignal.timeout(this.deps.timeoutMs)]);
    const { record, answers } = await sendSideCall(client, { prompt, promptTokens, maxTokens, signal, clock: this.deps.clock }, (text) =>
      parseVerifyAnswer(text, ids),
    );
    if (record.error) this.stats.failedCalls++;
    const costUsd = this.deps.costOf(record);
    this.stats.calls++;
    this.stats.costUsd += costUsd;
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
      this.lastOpinionAt = this.deps.clock();
      if (item.opinions.length === 1) this.model.track(item);
      this.stats.checked++;
      this.stats.opinions[opinion]++;
      given.push({ item, opinion });
    }
    if (given.length > 0) await this.deps.onOpinions(record.callId, label, given);
    if (this.closed || this.deps.side.isClosed) return;
    const again: VerifyItem[] = [...unanswered];
    const decided: Array<{ item: VerifyItem; verdict: TrustVerdict }> = [];
    const verifiers = this.deps.verifiers();
    for (const { item } of given) {
      const s = this.deps.support(item.text);
      const evidence = this.evidenceOf(item, s, verifiers);
      const verdict = decide(evidence);
      const kept = item.onTopicCheck;
      // An on-topic check only rejects: otherwise the entry keeps the verdict it has.
      if (kept !== undefined && verdict !== "rejected") continue;
      if (kept !== undefined) this.stats.verdicts[kept]--;
      if (verdict === null) again.push(item);
      else {
        this.stats.verdicts[verdict]++;
        if (item.reopened && verdict !== "rejected") this.stats.restored++;
        item.reopened = undefined;
        decided.push({ item, verdict });
        if (verdict === "rejected" && s.models.length < 2 && this.rejectedAlone.length < MAX_QUEUED)
          this.rejectedAlone.push(Object.assign(item, { rechecked: s.calls }));
        else if (kept === undefined && wantsOnTopicCheck(evidence, verdict)) again.push(Object.assign(item, { onTopicCheck: verdict }));
      }
    }
    this.model.opinionsGiven(given.length);
    if (decided.length > 0) await this.deps.onVerdicts(decided).catch((err: unknown) => this.deps.log("warn", `verdicts: ${errorMessage(err)}`));
    // Another opinion is due at once (the entry has settled), in a batch gathered from now.
    const now = this.deps.clock();
    for (const item of again) {
      item.readyAt = now;
      if (this.pending < MAX_QUEUED) this.again.push(item);
    }
  }
}
