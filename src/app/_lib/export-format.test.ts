import { describe, expect, it } from "vitest";
import {
  CSV_HEADER,
  csvField,
  csvLine,
  inTxt,
  exportFileName,
  jsonEntry,
  jsonHead,
  JSON_TAIL,
  parseExportFormat,
  txtLine,
  type ExportEntry,
} from "./export-format";

const entry: ExportEntry = {
  seq: 1,
  text: 'Swallow, "barn"',
  producer: "p1",
  provider: "sim",
  model: "sim-strong",
  createdAt: new Date("2026-01-02T03:04:05.000Z"),
  supportCalls: 3,
  supportProducers: 2,
  supportModels: 2,
  verdict: null,
};

describe("export formats", () => {
  it("accepts txt, json and csv, txt by default", () => {
    expect(parseExportFormat(null)).toBe("txt");
    expect(parseExportFormat("CSV")).toBe("csv");
    expect(parseExportFormat("xml")).toBeNull();
  });

  it("names files after the run's slug", () => {
    expect(exportFileName("birds-1a2b3c4d", "txt")).toBe("birds-1a2b3c4d-output.txt");
    expect(exportFileName("../etc", "json")).toBe("etc-entries.json");
  });

  it("writes one entry per line in output.txt", () => {
    expect(txtLine({ text: "a\nb" })).toBe("a b\n");
  });

  it.each([
    ["plain", "plain"],
    ["a,b", '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ["line\nbreak", '"line\nbreak"'],
    ["=SUM(A1)", `"'=SUM(A1)"`],
    [42, "42"],
  ])("csvField(%j) = %s", (v, out) => expect(csvField(v)).toBe(out));

  it("writes CSV rows with an ISO time, support and verdict columns", () => {
    expect(CSV_HEADER).toBe("seq,text,producer,provider,model,created_at,support_calls,support_producers,support_models,verdict\r\n");
    expect(csvLine(entry)).toBe('1,"Swallow, ""barn""",p1,sim,sim-strong,2026-01-02T03:04:05.000Z,3,2,2,\r\n');
    expect(csvLine({ ...entry, verdict: "rejected" })).toMatch(/,3,2,2,rejected\r\n$/);
  });

  it("leaves rejected entries out of output.txt, as the run's file does", () => {
    expect(inTxt({ verdict: "rejected" })).toBe(false);
    expect(inTxt({ verdict: null })).toBe(true);
    expect(inTxt({ verdict: "unsure" })).toBe(true);
  });

  it("streams JSON that parses as a whole", () => {
    const run = { id: "r1", topic: "Birds", slug: "birds-1", state: "stopped", totalUnique: 2, startedAt: null, stoppedAt: null };
    const text = jsonHead(run, new Date(0)) + jsonEntry(entry, true) + jsonEntry({ ...entry, seq: 2 }, false) + JSON_TAIL;
    const parsed = JSON.parse(text) as { run: { topic: string }; entries: Array<{ seq: number; text: string; support: unknown; verdict: unknown }> };
    expect(parsed.entries[0]!.support).toEqual({ calls: 3, producers: 2, models: 2 });
    expect(parsed.entries[0]!.verdict).toBeNull();
    expect(parsed.run.topic).toBe("Birds");
    expect(parsed.entries.map((e) => e.seq)).toEqual([1, 2]);
    expect(parsed.entries[0]!.text).toBe('Swallow, "barn"');
  });
});
