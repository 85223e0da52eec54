import type { ReasoningSplitter } from "../../../lib/reasoning";
import { classifyError } from "./errors";
import type { LlmRequest } from "./types";

/**
 * Runs one streamed SDK call under the producer's abort signal and a call timeout.
 *
 * The timeout is an inactivity timeout: it fires when no response (or no new chunk) arrived
 * for `timeoutMs`. An SDK's own `timeout` stops at the response headers, so a stream that
 * stalls mid-answer would otherwise hang forever; a total-time limit, on the other hand,
 * would kill long but healthy answers (500 items at 70 tokens/s take minutes).
 */
export async function streamCall<T>(
  req: LlmRequest,
  timeoutMs: number,
  now: () => number,
  run: (signal: AbortSignal, progress: () => void, received: { split?: ReasoningSplitter }) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let timedOut = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
  };
  const onAbort = () => controller.abort();
  if (req.signal.aborted) controller.abort();
  req.signal.addEventListener("abort", onAbort, { once: true });
  arm();
  const received: { split?: ReasoningSplitter } = {};
  try {
    return await run(controller.signal, arm, received);
  } catch (err) {
    const e = classifyError(err, { now: now(), timedOut, aborted: req.signal.aborted && !timedOut });
    // What streamed before the failure: the answer part, and the reasoning (billed too).
    e.partialText = received.split?.text ?? "";
    e.partialReasoning = received.split?.reasoning ?? "";
    throw e;
  } finally {
    clearTimeout(timer);
    req.signal.removeEventListener("abort", onAbort);
  }
}
