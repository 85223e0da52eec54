import { INVENTING_AT } from "./policy";

/** Recent verdicts per model that set its base rate of inventions, and the fewest that do. */
export const BASE_RATE_WINDOW = 100;
export const BASE_RATE_MIN = 30;

/**
 * Each proposing model's recent base rate of inventions: the share of rejections among the
 * verdicts on entries only it proposed (policy.ts `inventing`). Per model: one that knows less
 * runs out sooner and fills more (KITAB, arXiv 2310.15511, measures such errors per model),
 * while another's single-model entries are still the long tail only it knows. Pure.
 */
export class InventionRates {
  private readonly byModel = new Map<string, { recent: boolean[]; rejected: number }>();

  /** One verdict on an entry only `model` proposed. */
  note(model: string, rejected: boolean): void {
    let r = this.byModel.get(model);
    if (r === undefined) this.byModel.set(model, (r = { recent: [], rejected: 0 }));
    r.recent.push(rejected);
    if (rejected) r.rejected++;
    if (r.recent.length > BASE_RATE_WINDOW && r.recent.shift()) r.rejected--;
  }

  /** Most of the recent verdicts on entries only `model` proposed were rejections. */
  inventing(model: string): boolean {
    const r = this.byModel.get(model);
    return r !== undefined && r.recent.length >= BASE_RATE_MIN && r.rejected / r.recent.length >= INVENTING_AT;
  }
}
