import { describe, expect, it } from "vitest";
import { DEFAULT_REQUEST_SIZE, parsePrompt } from "./prompt";

describe("reading the producer prompt", () => {
  it.each([
    {
      name: "all three tags",
      texts: ["<topic>cheeses</topic>\n<known_entries>\nBrie\nGouda\n</known_entries>\n<request_size>20</request_size>"],
      topic: "cheeses",
      known: ["Brie", "Gouda"],
      size: 20,
    },
    {
      name: "tags spread over system and user",
      texts: ["<topic> jazz albums </topic>", "<known_entries>Kind of Blue</known_entries><request_size>5</request_size>"],
      topic: "jazz albums",
      known: ["Kind of Blue"],
      size: 5,
    },
    { name: "no known entries, no size", texts: ["<topic>rivers</topic>"], topic: "rivers", known: [], size: DEFAULT_REQUEST_SIZE },
    {
      name: "empty known entries",
      texts: ["<topic>rivers</topic><known_entries>\n\n</known_entries>"],
      topic: "rivers",
      known: [],
      size: DEFAULT_REQUEST_SIZE,
    },
    {
      name: "upper case, dashes, attributes",
      texts: ['<TOPIC lang="en">birds</TOPIC><Known-Entries count="1">\nRobin\n</Known-Entries><REQUEST_SIZE> 7 </REQUEST_SIZE>'],
      topic: "birds",
      known: ["Robin"],
      size: 7,
    },
    {
      name: "unclosed known entries run to the end",
      texts: ["<topic>birds</topic><known_entries>\nRobin\nWren"],
      topic: "birds",
      known: ["Robin", "Wren"],
      size: DEFAULT_REQUEST_SIZE,
    },
    {
      name: "several known-entries blocks",
      texts: ["<topic>birds</topic><known_entries>Robin</known_entries>", "<known_entries>Wren</known_entries>"],
      topic: "birds",
      known: ["Robin", "Wren"],
      size: DEFAULT_REQUEST_SIZE,
    },
    { name: "a silly request size is capped", texts: ["<topic>birds</topic><request_size>100000</request_size>"], topic: "birds", known: [], size: 1000 },
    {
      name: "a non-numeric request size falls back",
      texts: ["<topic>birds</topic><request_size>many</request_size>"],
      topic: "birds",
      known: [],
      size: DEFAULT_REQUEST_SIZE,
    },
    { name: "no tags at all", texts: ["list some birds"], topic: null, known: [], size: DEFAULT_REQUEST_SIZE },
  ])("$name", ({ texts, topic, known, size }) => {
    expect(parsePrompt(texts)).toEqual({ topic, knownEntries: known, requestSize: size });
  });
});
