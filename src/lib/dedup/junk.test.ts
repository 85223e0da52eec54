import { describe, expect, it } from "vitest";
import { VAGUE_ITEMS } from "../sim/names";
import { junkReason, topicWords } from "./junk";

describe("junk filter", () => {
  it.each([
    "Other",
    "Others",
    "Miscellaneous",
    "Misc.",
    "Various others",
    "And many more",
    "and many more...",
    "Many more",
    "N/A",
    "n/a",
    "None",
    "Unknown",
    "Etc.",
    "etc",
    "See above",
    "Same as above",
    "Regional variations",
    "TBD",
    "Various Artists",
    "Various types",
    "Other examples",
    "Modern examples",
    "Historical examples",
    "Many other volcanoes",
    "Lesser-known volcanoes",
    "And other regional dishes",
    "Other regional dishes",
    "More traditional styles",
  ])("%s is junk, never an entry", (line) => {
    expect(junkReason(line)).not.toBeNull();
  });

  it.each([
    "Other Music",
    "The Others",
    "Various Positions",
    "Other Worlds",
    "Other Voices, Other Rooms",
    "Unknown Pleasures",
    "None but the Brave",
    "Miscellaneous Debris Field",
    "Examples of Beauty and Truth in Modern Architecture",
    "More",
    "Moreton Bay",
    "Othello",
    "Variety Theatre",
    "Nothing Compares 2 U",
    "Na",
    "Etna",
  ])("%s is a real entry, not junk", (line) => {
    expect(junkReason(line)).toBeNull();
  });

  it("uses the topic's words: Other <topic> is junk, Other <something else> is not", () => {
    const shops = topicWords("record shops in New York");
    expect(junkReason("Other Music", shops)).toBeNull();
    expect(junkReason("Other record shops", shops)).toBe("group");
    const genres = topicWords("music genres");
    expect(junkReason("Other music", genres)).toBe("group");
    expect(junkReason("Various genres", genres)).toBe("group");
    expect(junkReason("Other Worlds", genres)).toBeNull();
  });

  it("catches every vague line the simulator emits, with the topic known", () => {
    const topic = "famous volcanoes";
    for (const line of VAGUE_ITEMS) expect(junkReason(line.replace("{topic}", topic), topicWords(topic)), line).not.toBeNull();
  });
});
