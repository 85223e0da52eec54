/**
 * Share of verdicts that kept an entry, per key (a model, or a model x branch arm), over its
 * last `window` verdicts, with `priorKept` pseudo-verdicts all kept: a key without verdicts
 * counts as precise, and a handful of rejections moves it only part of the way.
 */
export class RecentPrecision {
  private readonly recent = new Map<string, boolean[]>();
  constructor(
    private readonly window: number,
    private readonly priorKept: number,
  ) {}

  record(key: string, kept: boolean): void {
    let r = this.recent.get(key);
    if (r === undefined) this.recent.set(key, (r = []));
    r.push(kept);
    if (r.length > this.window) r.shift();
  }

  precision(key: string): number {
    const r = this.recent.get(key) ?? [];
    return (r.filter(Boolean).length + this.priorKept) / (r.length + this.priorKept);
  }

  verdicts(key: string): number {
    return this.recent.get(key)?.length ?? 0;
  }
}
