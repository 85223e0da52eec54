import { describe, expect, it } from "vitest";
import { cleanItemLine, ItemStreamParser, LineSplitter, parseItems } from "./parse-items";
import { noisyVariant } from "./sim/noise";
import { Rng } from "./sim/prng";

describe("cleanItemLine", () => {
  const cases: Array<[string, string, string | null]> = [
    ["bare item", "Paris", "Paris"],
    ["surrounding whitespace and CR", "  Paris \r", "Paris"],
    ["blank line", "   ", null],
    ["numbering with dot", "12. Paris", "Paris"],
    ["numbering with paren", "3) Paris", "Paris"],
    ["numbering in parens", "(4) Paris", "Paris"],
    ["hash numbering", "#7 Paris", "Paris"],
    ["numbering with dash", "5 - Paris", "Paris"],
    ["letter numbering", "b) Paris", "Paris"],
    ["dash bullet", "- Paris", "Paris"],
    ["star bullet", "* Paris", "Paris"],
    ["unicode bullet", "• Paris", "Paris"],
    ["checkbox bullet", "- [ ] Paris", "Paris"],
    ["bullet then number", "- 1. Paris", "Paris"],
    ["bold item", "**Paris**", "Paris"],
    ["bold item with colon description", "1. **Paris**: the capital of France", "Paris"],
    ["bold item with dash description", "- **Eiffel Tower** - A wrought-iron tower", "Eiffel Tower"],
    ["italic", "*Paris*", "Paris"],
    ["inline code", "`Array.prototype.map`", "Array.prototype.map"],
    ["markdown link", "[Paris](https://en.wikipedia.org/wiki/Paris)", "Paris"],
    ["blockquote", "> Paris", "Paris"],
    ["heading is a section title", "## European capitals", null],
    ["code fence", "```", null],
    ["code fence with language", "```text", null],
    ["horizontal rule", "---", null],
    ["table separator", "|---|---|", null],
    ["table row first cell", "| Paris | France |", "Paris"],
    ["double quotes", '"Paris"', "Paris"],
    ["curly quotes", "“Paris”", "Paris"],
    ["single quotes", "'Paris'", "Paris"],
    ["quotes after numbering with trailing comma", '1. "Paris",', "Paris"],
    ["item - description", "Lion - a large cat native to Africa", "Lion"],
    ["item – description (en dash)", "Lion – large carnivorous cat", "Lion"],
    ["item — description (em dash)", "Lion — Large carnivorous cat", "Lion"],
    ["item: description", "Lion: a large cat", "Lion"],
    ["item: Capitalised description sentence", "Paris: The capital of France.", "Paris"],
    ["title with colon kept", "Star Wars: A New Hope", "Star Wars: A New Hope"],
    ["title with colon and small words kept", "Spider-Man: Into the Spider-Verse", "Spider-Man: Into the Spider-Verse"],
    ["title with dash kept", "Mission: Impossible – Dead Reckoning Part One", "Mission: Impossible – Dead Reckoning Part One"],
    ["hyphenated name kept", "Jean-Paul Sartre", "Jean-Paul Sartre"],
    ["number-led title kept", "2001: A Space Odyssey", "2001: A Space Odyssey"],
    ["year title kept", "1984", "1984"],
    ["numbered number-led title", "4. 1984", "1984"],
    ["prose parenthetical dropped", "Mercury (the smallest planet in the Solar System)", "Mercury"],
    ["short parenthetical kept", "Mercury (planet)", "Mercury (planet)"],
    ["prose parenthetical then a period dropped", "Huravi Castle (known for its distinctive style).", "Huravi Castle"],
    ["prose parenthetical then a semicolon dropped", "The Huravi Castle (a classic choice);", "The Huravi Castle"],
    ["a name's own parenthetical kept before a period", "Mercury (planet).", "Mercury (planet)"],
    ["trailing period", "Paris.", "Paris"],
    ["preamble", "Here are 50 more European capitals:", null],
    ["preamble without colon", "Sure! Here are some more items", null],
    ["sign-off", "Let me know if you would like more.", null],
    ["hope sign-off", "I hope this helps!", null],
    ["title that starts like a preamble kept", "I Will Survive", "I Will Survive"],
    ["list intro ending with colon", "Capitals in Eastern Europe:", null],
    ["long sentence is commentary", "This list includes many of the capitals that are commonly recognised by the United Nations and most governments", null],
    ["punctuation only", "...", null],
    ["stray prompt tag", "</known_entries>", null],
    ["non-latin item kept", "東京", "東京"],
    ["accented item kept", "Reykjavík", "Reykjavík"],
  ];
  it.each(cases)("%s", (_name, line, expected) => {
    expect(cleanItemLine(line)).toBe(expected);
  });
});

describe("descriptions never reach an entry", () => {
  it("no surface variant the simulator writes keeps its description", () => {
    const rng = Rng.from("descriptions");
    for (let i = 0; i < 20_000; i++) {
      const line = noisyVariant("Huravi Castle", rng);
      const item = cleanItemLine(line);
      expect(item ?? "", line).not.toMatch(/known|classic|cited|popular|notable|influential|recommended|regarded|underrated|example/i);
      expect(item ?? "", line).toMatch(/huravi castle/i);
    }
  });
});

describe("parseItems", () => {
  it("parses a noisy answer with a preamble, blank lines and a sign-off", () => {
    const text = [
      "Sure! Here are 5 more capitals:",
      "",
      "1. **Paris** - capital of France",
      "2. Berlin",
      "",
      '3. "Madrid"',
      "- Rome: an ancient city",
      "* `Lisbon`",
      "",
      "Let me know if you need more!",
    ].join("\n");
    expect(parseItems(text)).toEqual(["Paris", "Berlin", "Madrid", "Rome", "Lisbon"]);
  });

  it("drops a truncated last line but keeps a complete one", () => {
    expect(parseItems("Paris\nBerlin\nMadr", { truncated: true })).toEqual(["Paris", "Berlin"]);
    expect(parseItems("Paris\nBerlin\nMadrid")).toEqual(["Paris", "Berlin", "Madrid"]);
    expect(parseItems("Paris\nBerlin\n", { truncated: true })).toEqual(["Paris", "Berlin"]);
  });
});

describe("streaming", () => {
  it("yields each line as soon as its newline arrives", () => {
    const splitter = new LineSplitter();
    expect(splitter.push("Par")).toEqual([]);
    expect(splitter.push("is\nBer")).toEqual(["Paris"]);
    expect(splitter.push("lin\n\nMad")).toEqual(["Berlin", ""]);
    expect(splitter.pending).toBe("Mad");
    expect(splitter.end()).toEqual(["Mad"]);
  });

  it("drops the cut-off tail of a truncated stream", () => {
    const parser = new ItemStreamParser();
    expect(parser.push("1. Paris\n2. Ber")).toEqual(["Paris"]);
    expect(parser.end({ truncated: true })).toEqual([]);
    expect(parser.count).toBe(1);
  });

  it("gives the same items whatever the chunking", () => {
    const text = "Here are more:\n1. Paris - capital\n2. **Berlin**\n3. Madrid\n4. Rome";
    const whole = parseItems(text);
    for (const size of [1, 2, 3, 7, 50]) {
      const parser = new ItemStreamParser();
      const items: string[] = [];
      for (let i = 0; i < text.length; i += size) items.push(...parser.push(text.slice(i, i + size)));
      items.push(...parser.end());
      expect(items).toEqual(whole);
    }
  });
});

describe("real titles that look like preambles, and chatty lines that are not items", () => {
  it.each([
    ["I Will Always Love You", "I Will Always Love You"],
    ["I Can See Clearly Now", "I Can See Clearly Now"],
    ["These Are the Days of Our Lives", "These Are the Days of Our Lives"],
    ["Here are 50 more items", null],
    ["Hope this helps!", null],
    ["Would you like me to continue?", null],
    ["Enjoy exploring Paris!", null],
    ["That's all I have.", null],
    ["**Museums:**", null],
    ["**Museums**:", null],
    ["**Louvre**: the largest art museum", "Louvre"],
  ])("%j -> %j", (line, expected) => {
    expect(cleanItemLine(line)).toBe(expected);
  });
});
