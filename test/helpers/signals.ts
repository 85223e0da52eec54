import { getEventListeners } from "node:events";

/**
 * What a long-lived signal still holds for work that is over: its abort listeners, and the
 * entries Node keeps in it for each AbortSignal.any it took part in (never removed on Node 20,
 * nodejs/node#55351). Both should stay at zero in a producer, call after call.
 */
export function leftOnSignal(signal: AbortSignal): { listeners: number; dependants: number } {
  const key = Object.getOwnPropertySymbols(signal).find((s) => s.description === "kDependantSignals");
  const set = key ? (signal as unknown as Record<symbol, Set<unknown> | undefined>)[key] : undefined;
  return { listeners: getEventListeners(signal, "abort").length, dependants: set?.size ?? 0 };
}
