import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A pass-through HTTP proxy in front of the simulator that counts the LLM calls in flight
 * (POSTs, from request to the end of the streamed answer): how many a producer really keeps
 * open at once, seen from the server side.
 */
export async function startCountingProxy(target: string) {
  const upstream = new URL(target);
  const stats = { inFlight: 0, maxInFlight: 0, requests: 0 };
  const server = http.createServer((req, res) => {
    const counted = req.method === "POST";
    if (counted) {
      stats.requests++;
      stats.inFlight++;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    }
    let done = false;
    const finish = () => {
      if (counted && !done) stats.inFlight--;
      done = true;
    };
    res.on("close", finish);
    const out = http.request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on("error", () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
