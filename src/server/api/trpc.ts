import { initTRPC, TRPCError } from "@trpc/server";
import { ZodError, z } from "zod";
import type { Db } from "../db/client";
import { isDomainError } from "../../lib/errors";
import { producerIdentity } from "../../lib/protocol";
import { INTERNAL_ERROR_MESSAGE } from "./on-error";
import type { Orchestrator } from "../orchestrator/orchestrator";

export type Context = {
  orchestrator: Orchestrator;
  db: Db;
  /** The `x-igentai-secret` header: producers authenticate with their run's secret. */
  producerSecret: string | null;
};

export function createContext(deps: { orchestrator: Orchestrator; db: Db }, headers: Headers): Context {
  return { ...deps, producerSecret: headers.get("x-igentai-secret") };
}

/**
 * Subscriptions (metrics.live) keep alive the way tRPC's examples do: the server pings an idle
 * stream, and a client that hears nothing, not even a ping, for `reconnectAfterInactivityMs`
 * reconnects by itself, resuming from the last tracked event id.
 */
export const SSE_PING_MS = 2_000;
export const SSE_RECONNECT_AFTER_INACTIVITY_MS = 5_000;

const t = initTRPC.context<Context>().create({
  sse: {
    ping: { enabled: true, intervalMs: SSE_PING_MS },
    client: { reconnectAfterInactivityMs: SSE_RECONNECT_AFTER_INACTIVITY_MS },
  },
  errorFormatter({ shape, error }) {
    const zod = error.cause instanceof ZodError ? error.cause : null;
    // Unexpected errors may carry Prisma/PostgreSQL text and stacks: clients get a generic message.
    if (error.code === "INTERNAL_SERVER_ERROR")
      return { ...shape, message: INTERNAL_ERROR_MESSAGE, data: { ...shape.data, stack: undefined, zodError: null, issues: null } };
    return {
      ...shape,
      // "topic: must not contain NUL characters" rather than zod's JSON dump; no stack in answers.
      message: zod ? zod.issues.map((i) => `${i.path.map(String).join(".") || "input"}: ${i.message}`).join("; ") : shape.message,
      data: {
        ...shape.data,
        stack: undefined,
        // Top-level fields for simple forms, and full paths (e.g. stop.maxMinutes) for nested ones.
        zodError: zod ? z.flattenError(zod) : null,
        issues: zod ? zod.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })) : null,
      },
    };
  },
});

/** Maps the orchestrator's domain errors to precise tRPC codes. */
const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  // By brand, not instanceof: the production build can hold two copies of the class.
  if (!result.ok && isDomainError(result.error.cause)) {
    const cause = result.error.cause;
    throw new TRPCError({ code: cause.code, message: cause.message, cause });
  }
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(domainErrors);

/**
 * Producer calls: resolves the active run from the `x-igentai-secret` header (UNAUTHORIZED
 * on a bad secret). `ctx.run` is undefined when the producer's run is no longer active:
 * the endpoint then tells it to stop.
 */
export const producerProcedure = publicProcedure
  .input(producerIdentity)
  .use(({ ctx, input, next }) => next({ ctx: { run: ctx.orchestrator.producers.authenticate(input.runId, ctx.producerSecret) } }));
