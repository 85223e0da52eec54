/**
 * Share kept, per key (a model, or a model x branch arm), over its last `window` observations,
 * with `priorKept` pseudo-observations all kept: a key without any counts as precise, and a
 * handful of rejections moves it only part of the way. An observation is one verdict (kept or
 * not), or a weighted one: a call's new entries and how many of them count (answer-trust.ts).
 */
export class RecentPrecision {
  private readonly recent = new Map<string, Array<{ weight: number; kept: number }>>();
  constructor(
    private readonly window: number,
    private readonly priorKept: number,
  ) {}

  record(key: string, kept: boolean): void {
    this.add(key, 1, kept ? 1 : 0);
  }

  /** `weight` observed at once, `kept` of them kept; nothing when `weight` is not positive. */
  add(key: string, weight: number, kept: number): void {
    if (!(weight > 0)) return;
    let r = this.recent.get(key);
    if (r === undefined) this.recent.set(key, (r = []));
    r.push({ weight, kept });
    if (r.length > this.window) r.shift();
  }

  precision(key: string): number {
    let weight = this.priorKept;
    let kept = this.priorKept;
    for (const o of this.recent.get(key) ?? []) {
      weight += o.weight;
      kept += o.kept;
    }
    return weight > 0 ? kept / weight : 1;
  }

  verdicts(key: string): number {
    return this.recent.get(key)?.length ?? 0;
  }
}
