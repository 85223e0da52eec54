// Preloaded into a process under test (node --require): appends its memory usage as a JSON
// line to $IGENTAI_MEMLOG every $IGENTAI_MEMLOG_MS (default 10 s). Bench-only instrumentation.
const fs = require("node:fs");
const file = process.env.IGENTAI_MEMLOG;
if (file) {
  const every = Number(process.env.IGENTAI_MEMLOG_MS || 10000);
  const write = () => {
    const m = process.memoryUsage();
    fs.appendFileSync(
      file,
      JSON.stringify({
        at: Date.now(),
        pid: process.pid,
        rss: m.rss,
        heapTotal: m.heapTotal,
        heapUsed: m.heapUsed,
        external: m.external,
        arrayBuffers: m.arrayBuffers,
      }) + "\n",
    );
  };
  setInterval(write, every).unref();
}
