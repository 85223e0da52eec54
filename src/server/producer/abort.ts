/**
 * A signal that aborts when any of `signals` does, and `dispose()` to unlink it once the work
 * it guarded is over. Not AbortSignal.any: on Node 20 each call leaves an entry in every
 * long-lived source signal (the producer's stop signal, the outbox's wake signal) that is
 * never removed (nodejs/node#55351), so a producer would grow with every call and submit.
 */
export function linkedSignal(signals: readonly AbortSignal[]): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const sources: AbortSignal[] = [];
  const onAbort = function (this: AbortSignal) {
    dispose();
    controller.abort(this.reason);
  };
  const dispose = () => {
    for (const s of sources) s.removeEventListener("abort", onAbort);
    sources.length = 0;
  };
  for (const s of signals) {
    if (s.aborted) {
      dispose();
      controller.abort(s.reason);
      break;
    }
    s.addEventListener("abort", onAbort, { once: true });
    sources.push(s);
  }
  return { signal: controller.signal, dispose };
}
