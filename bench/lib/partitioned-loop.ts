import { maxTokensFor } from "../../src/lib/prompt";
import { buildBranchPrompt, buildBreakdownPrompt, parseBreakdownAnswer } from "../../src/lib/prompt-branch";
import type { ItemsOutcome, PlannedCall } from "../../src/lib/tree/explorer";
import { DEFAULT_VARIANT } from "../../src/lib/tree/variants";

/** Share of an answer that must be new for the reference loop to keep a subtopic. */
export const REFERENCE_DROP_BELOW = 0.1;
/** Subtopics the reference loop asks for per breakdown answer, and most asks. */
export const REFERENCE_SUBTOPICS_PER_ASK = 50;
const REFERENCE_MAX_ASKS = 10;

/**
 * The reference: a simple partitioned loop (issue 18). Subtopics of the topic are asked for
 * until an answer names none the loop has (exact labels, case-folded); then each call explores
 * the next live subtopic round-robin, showing that subtopic's own finds; a subtopic is dropped
 * once under 10% of an answer is new. Same prompt builders and models as the product.
 */
export class PartitionedLoop {
  private readonly labels: string[] = [];
  get subtopics(): readonly string[] {
    return this.labels;
  }
  get liveCount(): number {
    return this.live.length;
  }
  /** Partitioned and every subtopic dropped: nothing more to ask. */
  get done(): boolean {
    return this.partitioned && this.live.length === 0;
  }
  private readonly found = new Map<string, string[]>();
  private readonly live: string[] = [];
  private partitioned = false;
  private asking = false;
  private asks = 0;
  private cursor = 0;
  private id = 0;
  private totalKnown = 0;

  constructor(
    private readonly topic: string,
    private readonly o: { models: readonly string[]; breakdownModel: string; promptBudgetTokens: number },
  ) {}

  next(): PlannedCall | null {
    const call = { id: `ref-${++this.id}`, branchId: 0, variant: DEFAULT_VARIANT };
    if (!this.partitioned) {
      if (this.asking) return null;
      this.asking = true;
      const p = buildBreakdownPrompt({ topic: this.topic, path: [], existing: this.labels, count: REFERENCE_SUBTOPICS_PER_ASK });
      return { ...call, kind: "breakdown", model: this.o.breakdownModel, system: p.system, user: p.user, maxTokens: 64 + 8 * REFERENCE_SUBTOPICS_PER_ASK };
    }
    if (this.live.length === 0) return null;
    const label = this.live[this.cursor++ % this.live.length]!;
    const p = buildBranchPrompt({
      topic: this.topic,
      path: [label],
      requestSize: DEFAULT_VARIANT.requestSize,
      known: { own: this.found.get(label)!, related: [], totalKnown: this.totalKnown },
      budgetTokens: this.o.promptBudgetTokens,
    });
    return {
      ...call,
      kind: "items",
      model: this.o.models[this.id % this.o.models.length]!,
      system: p.system,
      user: p.user,
      maxTokens: maxTokensFor(DEFAULT_VARIANT.requestSize),
      label,
    } as PlannedCall;
  }

  onBreakdown(_call: PlannedCall, answer: string | null, truncated: boolean): void {
    this.asking = false;
    const have = new Set(this.labels.map((l) => l.toLowerCase()));
    const fresh = parseBreakdownAnswer(answer ?? "", { truncated, max: REFERENCE_SUBTOPICS_PER_ASK }).filter((l) => !have.has(l.toLowerCase()));
    for (const l of fresh) {
      this.labels.push(l);
      this.found.set(l, []);
      this.live.push(l);
    }
    if ((answer !== null && fresh.length === 0) || ++this.asks >= REFERENCE_MAX_ASKS) this.partitioned = true;
  }

  onItems(call: PlannedCall, outcome: ItemsOutcome): void {
    const label = (call as PlannedCall & { label: string }).label;
    this.found.get(label)!.push(...outcome.newEntries);
    this.totalKnown += outcome.newEntries.length;
    const answered = outcome.newEntries.length + outcome.reproposed.length;
    if (answered === 0 || outcome.newEntries.length / answered < REFERENCE_DROP_BELOW) this.live.splice(this.live.indexOf(label), 1);
  }
}
