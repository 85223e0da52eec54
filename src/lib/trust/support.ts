/**
 * Support per entry: how many distinct calls, producers and models proposed it, its first
 * proposal and every re-proposal included. Several models proposing one name is the cheapest
 * evidence that it exists (an invention comes from one model's gap); the verification policy
 * (policy.ts) weighs it with the verifiers' opinions.
 */

import { isRepeatingAnswer } from "./answer-trust";

export type Proposal = { callId: string | undefined; producer: string; model: string };

/** The stored and shown form. */
export type Support = { calls: number; producers: number; models: number; producerList: string[]; modelList: string[] };

type Rec = {
  calls: number;
  recentCalls: string[];
  producers: string[];
  models: string[];
  /** The answer that first proposed it repeated much of its prompt's list (answer-trust.ts isRepeatingAnswer). */
  repeating?: true;
};

/** Calls remembered per entry to count each once: a call's candidates arrive in a few batches, interleaved with a few others'. */
const RECENT_CALLS = 4;

/** Calls in progress whose entries are remembered until their answer is complete (as active-run's tallies). */
const MAX_OPEN_CALLS = 10_000;

/** Distinct producers or models kept per entry: beyond this, "many" is all the evidence says. */
const MAX_LISTED = 16;

export class SupportBook {
  private readonly byText = new Map<string, Rec>();
  /** The entries each call in progress introduced (the last MAX_OPEN_CALLS calls), until its answer is complete. */
  private readonly introducing = new Map<string, Rec[]>();

  /**
   * Counts a proposal of entry `text`; returns whether its support changed. A call counts once
   * however often it repeats the entry (its candidates arrive together); a call without an id
   * counts as a new one.
   */
  propose(text: string, p: Proposal): boolean {
    const r = this.byText.get(text);
    if (r === undefined) {
      const rec: Rec = { calls: 1, recentCalls: p.callId === undefined ? [] : [p.callId], producers: [p.producer], models: [p.model] };
      this.byText.set(text, rec);
      if (p.callId !== undefined) this.introduced(p.callId, rec);
      return true;
    }
    let changed = false;
    if (p.callId === undefined || !r.recentCalls.includes(p.callId)) {
      r.calls++;
      if (p.callId !== undefined) {
        r.recentCalls.push(p.callId);
        if (r.recentCalls.length > RECENT_CALLS) r.recentCalls.shift();
      }
      changed = true;
    }
    if (!r.producers.includes(p.producer) && r.producers.length < MAX_LISTED) {
      r.producers.push(p.producer);
      changed = true;
    }
    if (!r.models.includes(p.model) && r.models.length < MAX_LISTED) {
      r.models.push(p.model);
      changed = true;
    }
    return changed;
  }

  private introduced(callId: string, rec: Rec): void {
    const recs = this.introducing.get(callId);
    if (recs !== undefined) {
      recs.push(rec);
      return;
    }
    this.introducing.set(callId, [rec]);
    if (this.introducing.size > MAX_OPEN_CALLS) this.introducing.delete(this.introducing.keys().next().value!);
  }

  /** An entry's support as stored earlier (a resumed run). */
  load(text: string, s: { calls: number; producerList: readonly string[]; modelList: readonly string[] }): void {
    this.byText.set(text, { calls: Math.max(1, s.calls), recentCalls: [], producers: [...s.producerList], models: [...s.modelList] });
  }

  get(text: string): Support | undefined {
    const r = this.byText.get(text);
    return r && { calls: r.calls, producers: r.producers.length, models: r.models.length, producerList: [...r.producers], modelList: [...r.models] };
  }

  /** The support of these entries, each with its seq, where it is more than the entry's own proposal (which needs no row). */
  beyondFirst(entries: ReadonlyArray<{ seq: number; text: string }>): Array<{ seq: number } & Support> {
    const out: Array<{ seq: number } & Support> = [];
    for (const e of entries) {
      const r = this.byText.get(e.text);
      if (r && (r.calls > 1 || r.producers.length > 1 || r.models.length > 1)) out.push({ seq: e.seq, ...this.get(e.text)! });
    }
    return out;
  }

  /** Distinct calls that proposed `text` (0: not an entry). */
  callsOf(text: string): number {
    return this.byText.get(text)?.calls ?? 0;
  }

  /**
   * A call's answer is complete: when it repeated much of its prompt's list, the entries it
   * introduced are marked (verification learns their share of inventions apart). Not known
   * after a resume: the mark is not stored.
   */
  answered(call: { callId: string; itemsParsed: number; itemsShown?: number | undefined }): void {
    const recs = this.introducing.get(call.callId);
    this.introducing.delete(call.callId);
    if (recs === undefined || !isRepeatingAnswer(call.itemsParsed, call.itemsShown)) return;
    // The records themselves: an entry renamed to its display form meanwhile keeps its record.
    for (const r of recs) r.repeating = true;
  }

  /** Whether the answer that first proposed `text` was a repeating one. */
  fromRepeatingAnswer(text: string): boolean {
    return this.byText.get(text)?.repeating === true;
  }

  /**
   * Which entries a tree run's prompt for `model` may list: not those only another model
   * proposed, nor a `rejected` one a single call proposed. Left out, they are what a model that
   * knows them writes again: an entry two models proposed is the cheapest evidence there is (an
   * invention comes from one model's gap), and a rejected one proposed again is decided again
   * (verify-queue.ts recheckRejected), while an invention rarely comes back (SelfCheckGPT). Each
   * costs a model at most one repeated slot: once it proposed the entry, it is listed for it. A
   * text the book does not know by that name (renamed, merged) is listed.
   */
  shownTo(model: string, rejected: ReadonlySet<string> = new Set()): (text: string) => boolean {
    return (text) => {
      const r = this.byText.get(text);
      if (r === undefined) return true;
      if (rejected.has(text) && r.calls < 2) return false;
      return r.models.length !== 1 || r.models[0] === model;
    };
  }

  /** Models that proposed `text` (a verifier must be another one). */
  modelsOf(text: string): readonly string[] {
    return this.byText.get(text)?.models ?? [];
  }

  /** The entry is now written `to` (its display form changed). */
  rename(from: string, to: string): void {
    const r = this.byText.get(from);
    if (r === undefined || from === to) return;
    this.byText.delete(from);
    this.byText.set(to, r);
  }

  /** `from` was merged into `into`: its proposals now count for `into`. */
  merge(from: string, into: string): void {
    const a = this.byText.get(from);
    const b = this.byText.get(into);
    this.byText.delete(from);
    if (!a || !b) return;
    b.calls += a.calls;
    for (const x of a.producers) if (!b.producers.includes(x) && b.producers.length < MAX_LISTED) b.producers.push(x);
    for (const x of a.models) if (!b.models.includes(x) && b.models.length < MAX_LISTED) b.models.push(x);
  }
}
