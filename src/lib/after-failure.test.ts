import { describe, expect, it } from "vitest";
import { afterFailure, MIN_RATE_LIMIT_WAIT_MS, type CallCaps, type CallFailure, type FailureDecision } from "./after-failure";

// random() = 0: backoff is exactly half its step (base 1000 ms, doubling, max 60 s).
const caps: CallCaps = {
  label: "sim:sim-strong",
  maxTokens: 2000,
  knownTokens: 1500,
  knownTokensCap: Number.POSITIVE_INFINITY,
  shrinkable: true,
  paceMs: 0,
  backoff: { baseMs: 1000, maxMs: 60_000 },
  random: () => 0,
};

type Case = [name: string, error: CallFailure, streak: number, caps: Partial<CallCaps>, expected: Partial<FailureDecision>];

const CASES: Case[] = [
  ["a 500 backs off, growing with the streak", { kind: "server", status: 500, message: "boom" }, 0, {}, { delayMs: 500, streak: 1 }],
  ["the third 500 in a row waits longer", { kind: "server", status: 500, message: "boom" }, 2, {}, { delayMs: 2000, streak: 3 }],
  ["a timeout backs off", { kind: "timeout", message: "no answer" }, 0, {}, { delayMs: 500, streak: 1 }],
  ["a 429 honours retry-after", { kind: "rate_limit", status: 429, message: "slow down", retryAfterMs: 1234 }, 0, {}, { delayMs: 1234, streak: 1 }],
  [
    "a 429 with retry-after 0 waits the minimum",
    { kind: "rate_limit", status: 429, message: "slow down", retryAfterMs: 0 },
    0,
    {},
    { delayMs: MIN_RATE_LIMIT_WAIT_MS },
  ],
  [
    "a 429 without retry-after waits for the pacing if longer than backoff",
    { kind: "rate_limit", status: 429, message: "slow down" },
    0,
    { paceMs: 7000 },
    { delayMs: 7000 },
  ],
  ["a 429 without retry-after nor pacing backs off", { kind: "rate_limit", status: 429, message: "slow down" }, 1, {}, { delayMs: 1000, streak: 2 }],
  [
    "a context overflow halves the known entries, retries at once, streak unchanged",
    { kind: "context_overflow", status: 400, message: "too long" },
    3,
    {},
    { delayMs: 0, streak: 3, cap: { knownTokens: 750 } },
  ],
  ["an overflow never raises an earlier cap", { kind: "context_overflow", message: "too long" }, 0, { knownTokensCap: 600 }, { cap: { knownTokens: 600 } }],
  [
    "a request too large for any minute is an overflow",
    { kind: "rate_limit", status: 429, message: "Request too large", tooLarge: true },
    0,
    {},
    { delayMs: 0, cap: { knownTokens: 750 } },
  ],
  [
    "an overflow with nothing left to shrink backs off and warns",
    { kind: "context_overflow", message: "too long" },
    0,
    { knownTokens: 0 },
    { delayMs: 500, streak: 1, report: { level: "warn", kind: "context_overflow", message: expect.stringMatching(/does not fit/) } },
  ],
  [
    "the naive strategy cannot shrink its prompt",
    { kind: "context_overflow", message: "too long" },
    0,
    { shrinkable: false },
    { delayMs: 500, cap: undefined },
  ],
  [
    "a 400 naming the output ceiling lowers max_tokens, retries at once",
    { kind: "bad_request", status: 400, message: "at most 1024 completion tokens", maxTokensLimit: 1024 },
    2,
    {},
    { delayMs: 0, streak: 2, cap: { maxTokens: 1024 }, log: "sim:sim-strong: max_tokens lowered to 1024" },
  ],
  [
    "a ceiling above what was asked is an ordinary rejection",
    { kind: "bad_request", status: 400, message: "at most 4096", maxTokensLimit: 4096 },
    0,
    {},
    { delayMs: 2000, streak: 1, cap: undefined },
  ],
  [
    "a 400 backs off further than an outage",
    { kind: "bad_request", status: 400, message: "bad" },
    0,
    {},
    { delayMs: 2000, report: { level: "warn", kind: "bad_request", message: expect.stringMatching(/request rejected \(400\): bad; retrying in 2.0 s/) } },
  ],
  [
    "a 401 idles and reports a fatal status",
    { kind: "auth", status: 401, message: "bad key" },
    0,
    {},
    { idle: true, delayMs: 0, streak: 1, report: { level: "fatal", kind: "auth", message: "sim:sim-strong: authentication failed (401): bad key" } },
  ],
  ["no key idles too", { kind: "no_key", message: "no key" }, 0, {}, { idle: true }],
  ["backoff stops growing at its maximum", { kind: "network", message: "ECONNRESET" }, 30, {}, { delayMs: 30_000 }],
];

describe("what a producer does after a failed call", () => {
  it.each(CASES)("%s", (_name, error, streak, over, expected) => {
    const decision = afterFailure(error, streak, { ...caps, ...over });
    // `key: undefined` in a case: the decision has no such field.
    const absent = Object.keys(expected).filter((k) => expected[k as keyof FailureDecision] === undefined);
    for (const k of absent) expect(decision).not.toHaveProperty(k);
    expect(decision).toMatchObject(Object.fromEntries(Object.entries(expected).filter(([, v]) => v !== undefined)));
  });

  it("adds jitter to retry-after, never less than asked", () => {
    const d = afterFailure({ kind: "rate_limit", message: "", retryAfterMs: 1000 }, 0, { ...caps, random: () => 1 });
    expect(d.delayMs).toBe(1100);
  });
});
