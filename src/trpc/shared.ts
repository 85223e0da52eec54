import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "../server/api/root";

/** Types of the API as the browser sees it (type-only: nothing server-side is bundled). */
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type RouterInputs = inferRouterInputs<AppRouter>;

export type LiveSnapshot = RouterOutputs["topic"]["status"];
export type RunSummary = RouterOutputs["topic"]["list"][number];
export type EntryItem = RouterOutputs["topic"]["entries"]["items"][number];
export type OptimizationEvent = RouterOutputs["optimization"]["events"][number];
export type StoredSample = RouterOutputs["metrics"]["samples"][number];

/** Same-origin tRPC endpoint. */
export const TRPC_PATH = "/api/trpc";
