import type { TRPCError } from "@trpc/server";

/** Message clients get for any unexpected error: Prisma or PostgreSQL text stays in the server log. */
export const INTERNAL_ERROR_MESSAGE = "internal server error (see the server log)";

/** The tRPC adapters' `onError`: unexpected errors are logged in full, here and only here. */
export function logInternalError({ error, path }: { error: TRPCError; path?: string }): void {
  if (error.code === "INTERNAL_SERVER_ERROR") console.error(`[igentai] error: tRPC ${path ?? "?"}: ${error.cause?.message ?? error.message}`);
}
