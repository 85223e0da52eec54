import type { Opinion, VerifyRequest } from "../trust/verify-prompt";
import type { Identify } from "./judge";
import { OFF_TOPIC_ITEMS } from "./names";
import { hash01, type Rng } from "./prng";
import type { Answer } from "./respond";
import { itemKey } from "./universe";

/**
 * The simulator's answers to verification requests (src/lib/trust/verify-prompt.ts). The
 * simulated verifier knows what its model knows, and errs as real ones do: it accepts some
 * invented names, rejects or doubts some real long-tail names (more often the further down the
 * tail, and more often still when it does not know them), and almost never accepts an
 * off-topic line. Rates and sources: src/server/simulator/README.md ("Verification").
 */
export interface VerifierRates {
  /** An invented name called a real member. */
  inventedAccept: number;
  /** An invented name answered "unsure". */
  inventedUnsure: number;
  /** An off-topic line called a real member. */
  offTopicAccept: number;
  /** A real item the verifier knows, called not real: at the head of the popularity order... */
  knownReject: number;
  /** ...plus this much more at the very end of the tail (linear in rank). */
  tailReject: number;
  /** A real item the verifier knows, answered "unsure". */
  knownUnsure: number;
  /** A real item the verifier does not know, called real anyway. */
  unknownAccept: number;
  /** A real item the verifier does not know, called not real (the rest is "unsure"). */
  unknownReject: number;
  /**
   * How often two opinions of one verifier on one name share their draw (the rest are
   * independent): asked again, a model mostly repeats itself, wrong answers included.
   */
  reaskSame: number;
  /**
   * Share of names on which every verifier's standing view is the same: two verifiers' opinions
   * on a name share their draw `reaskSame * sharedView` of the time. Different models err on the
   * same names.
   */
  sharedView: number;
}

export const DEFAULT_VERIFIER_RATES: Readonly<VerifierRates> = {
  inventedAccept: 0.07,
  inventedUnsure: 0.1,
  offTopicAccept: 0.01,
  knownReject: 0.01,
  tailReject: 0.06,
  knownUnsure: 0.02,
  unknownAccept: 0.45,
  unknownReject: 0.15,
  reaskSame: 0.7,
  sharedView: 0.4,
};

const OFF_TOPIC_KEYS: ReadonlySet<string> = new Set(OFF_TOPIC_ITEMS.map((t) => itemKey(t)));

/** What a text is, as the simulator's truth has it. */
export type Truth = { kind: "real"; rank: number } | { kind: "off-topic" } | { kind: "invented" };

export function truthOf(text: string, identify: Identify): Truth {
  // Off-topic first: a short off-topic word ("The Moon") can be a typo's distance from an item.
  if (OFF_TOPIC_KEYS.has(itemKey(text))) return { kind: "off-topic" };
  const rank = identify(text);
  return typeof rank === "number" ? { kind: "real", rank } : { kind: "invented" };
}

/** Who is asked about what: a verifier's standing view of a name is drawn from these (`reaskSame`, `sharedView`). */
export type Asking = { seed: number; verifier: string; text: string };

/**
 * One verifier's opinion of one text. Its draw is the verifier's standing view of the name
 * (sqrt(reaskSame) of the time, so that two opinions share it reaskSame of the time; on
 * `sharedView` of names that view is the same for every verifier) or a fresh one from `rng`.
 * Both are uniform, so the rates below hold per opinion, while opinions on a name are correlated.
 */
export function simOpinion(truth: Truth, knows: (rank: number) => boolean, size: number, rates: VerifierRates, rng: Rng, asking: Asking): Opinion {
  const fresh = rng.next();
  const key = itemKey(asking.text);
  const shared = hash01(asking.seed, "verify-shared?", key) < rates.sharedView;
  const standing = hash01(asking.seed, "verify-view", shared ? "" : asking.verifier, key);
  const u = rng.next() < Math.sqrt(rates.reaskSame) ? standing : fresh;
  switch (truth.kind) {
    case "off-topic":
      return u < rates.offTopicAccept ? "yes" : "off";
    case "invented":
      return u < rates.inventedAccept ? "yes" : u < rates.inventedAccept + rates.inventedUnsure ? "unsure" : "no";
    case "real": {
      if (!knows(truth.rank)) return u < rates.unknownAccept ? "yes" : u < rates.unknownAccept + rates.unknownReject ? "no" : "unsure";
      const reject = rates.knownReject + rates.tailReject * (truth.rank / Math.max(1, size));
      return u < reject ? "no" : u < reject + rates.knownUnsure ? "unsure" : "yes";
    }
  }
}

/**
 * The answer text, as the instructions ask and a model that follows them writes it: the shorter
 * side. The ids it doubts, grouped, then `end` (every other id is a yes); or, when it calls more
 * ids "no" than "yes", the `yes:`, `off:` and `unsure:` ids, then `rest: no`.
 */
export function simVerifyAnswer(request: VerifyRequest, opinionOf: (text: string) => Opinion): Answer {
  const groups: Record<Opinion, string[]> = { yes: [], no: [], off: [], unsure: [] };
  for (const item of request.items) groups[opinionOf(item.text)].push(item.id);
  const restNo = groups.no.length > groups.yes.length;
  const listed = restNo ? (["yes", "off", "unsure"] as const) : (["no", "off", "unsure"] as const);
  const lines = listed.filter((k) => groups[k].length > 0).map((k) => `${k}: ${groups[k].join(" ")}`);
  return { text: `${[...lines, restNo ? "rest: no" : "end"].join("\n")}\n`, lines: [] };
}
