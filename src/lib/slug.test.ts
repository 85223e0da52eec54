import { describe, expect, it } from "vitest";
import { cleanTopic, topicSlug } from "./slug";

describe("topicSlug", () => {
  it.each([
    ["Paris attractions", /^paris-attractions-[0-9a-f]{8}$/],
    ["../../etc/passwd", /^etc-passwd-[0-9a-f]{8}$/],
    [".hidden", /^hidden-[0-9a-f]{8}$/],
    ["..", /^topic-[0-9a-f]{8}$/],
    ["Saint-Germain-des-Prés", /^saint-germain-des-pres-[0-9a-f]{8}$/],
    ["東京の寺", /^topic-[0-9a-f]{8}$/],
  ])("makes a safe folder name of %j", (topic, re) => {
    const slug = topicSlug(topic);
    expect(slug).toMatch(re);
    expect(slug).not.toContain("/");
    expect(slug.startsWith(".")).toBe(false);
  });

  it("keeps topics that differ only in punctuation apart", () => {
    expect(topicSlug("C++")).not.toBe(topicSlug("C#"));
  });

  it("bounds the length", () => {
    expect(topicSlug("x".repeat(500)).length).toBeLessThanOrEqual(70);
  });
});

describe("cleanTopic", () => {
  it("collapses whitespace and removes control characters", () => {
    expect(cleanTopic("  Paris\u0000 \n attractions\u200b ")).toBe("Paris attractions");
  });
});
