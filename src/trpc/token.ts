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

let asked = false;
/** fetch that asks for the token once when the server says it needs one, then reloads with it. */
export async function fetchAskingForToken(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const res = await fetch(input, init);
  if (res.status === 401 && !asked) {
    const body: unknown = await res.clone().json().catch(() => null);
    const first = (Array.isArray(body) ? body[0] : body) as { error?: { data?: { reason?: string } } } | null;
    const reason = first?.error?.data?.reason;
    if (reason === "token_required" || reason === "token_invalid") {
      asked = true;
      const token = window.prompt("This igentai server needs its API token (IGENTAI_API_TOKEN):");
      if (token) {
        window.sessionStorage.setItem(KEY, token.trim());
        window.location.reload();
      }
    }
  }
  return res;
}
