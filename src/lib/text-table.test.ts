import { describe, expect, it } from "vitest";
import { textTable } from "./text-table";

describe("a CLI table", () => {
  it("has a header, pads columns to their widest cell, aligns numbers right and leaves the last column free", () => {
    const lines = textTable(
      [{ header: "id" }, { header: "entries", align: "right" }, { header: "topic" }],
      [
        ["a1", "1,435", "Volcanoes"],
        ["b22", "7", "Paris attractions"],
      ],
    );
    expect(lines).toEqual(["id   entries  topic", "a1     1,435  Volcanoes", "b22        7  Paris attractions"]);
  });

  it("is a header alone when there are no rows", () => {
    expect(textTable([{ header: "id" }, { header: "topic" }], [])).toEqual(["id  topic"]);
  });
});
