"use client";

import { useQuery } from "@tanstack/react-query";
import { availableModels } from "../../lib/provider-settings";
import { useTRPC } from "../../trpc/react";
import type { ProviderOption } from "../_lib/topic-form";

/** Offered while the list loads or if it cannot be read: the simulator, which needs no key. */
export const FALLBACK_PROVIDERS: ProviderOption[] = availableModels({}).filter((m) => m.simulated);

/** `topic.providers`: which provider/models the server can use (real ones only with a key). */
export function useProviderOptions(): { options: ProviderOption[]; loading: boolean; fallback: boolean } {
  const trpc = useTRPC();
  const q = useQuery({ ...trpc.topic.providers.queryOptions(), staleTime: 60_000 });
  const list = q.data?.providers;
  if (!list || list.length === 0) return { options: FALLBACK_PROVIDERS, loading: q.isPending, fallback: !q.isPending };
  return { options: list, loading: false, fallback: false };
}
