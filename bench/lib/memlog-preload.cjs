// Preloaded into a process under test (node --require): appends its memory usage as a JSON
// line to $IGENTAI_MEMLOG every $IGENTAI_MEMLOG_MS (default 10 s), with its CPU time and the
// size of V8's code space (compiled code: what --jitless saves). Bench-only instrumentation.
const fs = require("node:fs");
const v8 = require("node:v8");
const file = process.env.IGENTAI_MEMLOG;
if (file) {
  const every = Number(process.env.IGENTAI_MEMLOG_MS || 10000);
  const write = () => {
    const m = process.memoryUsage();
    const cpu = process.cpuUsage();
    const code = v8.getHeapSpaceStatistics().find((s) => s.space_name === "code_space");
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
        codeSpace: code ? code.space_size : 0,
        mallocedMemory: v8.getHeapStatistics().malloced_memory,
        cpuUserUs: cpu.user,
        cpuSystemUs: cpu.system,
      }) + "\n",
    );
  };
  setInterval(write, every).unref();
}
