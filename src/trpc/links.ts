import { httpBatchLink, httpLink, httpSubscriptionLink, splitLink, type TRPCLink } from "@trpc/client";
import { EventSource } from "eventsource";
import type { AppRouter } from "../server/api/root";
import { MAX_BATCH_CALLS } from "../lib/request-guard";

/**
 * The links of every client of the API (the page, the CLI): the bearer token on every
 * request when the server requires one (IGENTAI_API_TOKEN), also on the live subscription,
 * whose native EventSource cannot send headers (the `eventsource` package can).
 */
export function apiLinks(opts: { url: string; token: string | null | (() => string | null); batch: boolean; fetch?: typeof fetch }): TRPCLink<AppRouter>[] {
  // Read per request: the page may learn the token after the client was made.
  const auth = (): Record<string, string> => {
    const token = typeof opts.token === "function" ? opts.token() : opts.token;
    return token ? { authorization: `Bearer ${token}` } : {};
  };
  const baseFetch = opts.fetch ?? ((input, init) => fetch(input, init));
  return [
    splitLink({
      condition: (op) => op.type === "subscription",
      true: httpSubscriptionLink({
        url: opts.url,
        EventSource,
        eventSourceOptions: { fetch: (input, init) => baseFetch(input, { ...init, headers: { ...init.headers, ...auth() } }) },
      }),
      false: opts.batch
        ? // The server refuses batches of more calls (src/lib/request-guard.ts).
          httpBatchLink({ url: opts.url, maxItems: MAX_BATCH_CALLS, headers: auth, fetch: baseFetch })
        : httpLink({ url: opts.url, headers: auth, fetch: baseFetch }),
    }),
  ];
}
