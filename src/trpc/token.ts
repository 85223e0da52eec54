/**
 * The API token in the browser, when the server requires one: given once in the page's
 * address as `#token=...` (or typed when the server first refuses a request), then kept in
 * sessionStorage for this tab and sent as a header; never left in the address bar.
 */
const KEY = "igentai.apiToken";

export function apiToken(): string | null {
  if (typeof window === "undefined") return null;
  const fromHash = /(?:^#|&)token=([^&]+)/.exec(window.location.hash)?.[1];
  if (fromHash) {
    window.sessionStorage.setItem(KEY, decodeURIComponent(fromHash));
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
  }
  return window.sessionStorage.getItem(KEY);
}

/** A download URL that carries the token (links cannot send headers). */
export function withToken(url: string): string {
  const token = apiToken();
  return token ? `${url}${url.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}` : url;
}

let answer: Promise<string | null> | undefined;
/**
 * fetch that, when the server says it needs the token, asks for it once per page (requests
 * refused at the same time share the one question) and retries the request with it. No
 * reload: the links read the token per request.
 */
export async function fetchAskingForToken(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const res = await fetch(input, init);
  if (res.status !== 401) return res;
  const body: unknown = await res
    .clone()
    .json()
    .catch(() => null);
  const first = (Array.isArray(body) ? body[0] : body) as { error?: { data?: { reason?: string } } } | null;
  const reason = first?.error?.data?.reason;
  if (reason !== "token_required" && reason !== "token_invalid") return res;
  const sent = new Headers(init?.headers).get("authorization");
  let token = window.sessionStorage.getItem(KEY);
  if (!token || `Bearer ${token}` === sent) {
    answer ??= Promise.resolve().then(() => {
      const typed = window.prompt("This igentai server needs its API token (IGENTAI_API_TOKEN):")?.trim();
      if (typed) window.sessionStorage.setItem(KEY, typed);
      return typed || null;
    });
    token = await answer;
  }
  if (!token || `Bearer ${token}` === sent) return res;
  const headers = new Headers(init?.headers);
  headers.set("authorization", `Bearer ${token}`);
  return fetch(input, { ...init, headers });
}
