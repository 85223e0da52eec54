"use client";

import { QueryClientProvider, type QueryClient } from "@tanstack/react-query";
import { createTRPCClient } from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import { useState, type ReactNode } from "react";
import type { AppRouter } from "../server/api/root";
import { makeQueryClient } from "./query-client";
import { apiLinks } from "./links";
import { TRPC_PATH } from "./shared";
import { apiToken, fetchAskingForToken } from "./token";

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

let browserQueryClient: QueryClient | undefined;

function getQueryClient(): QueryClient {
  // On the server every render gets its own client; in the browser one is kept so a
  // suspense re-render does not throw the cache away.
  if (typeof window === "undefined") return makeQueryClient();
  browserQueryClient ??= makeQueryClient();
  return browserQueryClient;
}

export function TRPCReactProvider({ children }: { children: ReactNode }) {
  const queryClient = getQueryClient();
  // Same-origin URLs: every query and the subscription run in the browser (nothing is
  // prefetched during server rendering), so no absolute server URL is needed.
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({
      links: apiLinks({ url: TRPC_PATH, token: apiToken, batch: true, fetch: typeof window === "undefined" ? undefined : fetchAskingForToken }),
    }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
