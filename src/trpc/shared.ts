import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "../server/api/root";

/** Types of the API as the browser sees it (type-only: nothing server-side is bundled). */
export type RouterOutputs = inferRouterOutputs<AppRouter>;

export type LiveSnapshot = RouterOutputs["topic"]["status"];
/** A run, live or stored: one shape (src/lib/run-view.ts). */
export type RunView = RouterOutputs["topic"]["list"][number];
export type OptimizationEvent = RouterOutputs["optimization"]["events"][number];

/** Same-origin tRPC endpoint. */
export const TRPC_PATH = "/api/trpc";
