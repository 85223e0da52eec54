import { createHash } from "node:crypto";

export const MAX_TOPIC_CHARS = 200;

/**
 * A folder name for a topic that is safe on every filesystem: lowercase ASCII letters,
 * digits and single dashes, never empty, never hidden, never `.`/`..`, bounded length.
 * A short hash of the exact topic keeps distinct topics (e.g. "C++" vs "C#") apart.
 */
export function topicSlug(topic: string): string {
  const base = topic
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/g, "");
  const hash = createHash("sha256").update(topic.trim()).digest("hex").slice(0, 8);
  return `${base || "topic"}-${hash}`;
}

/** The folder an unowned output/<slug>/ is moved to (a sibling, so it stays beside the runs' folders): `<slug>.moved-<UTC time>`. */
export function movedAsideName(slug: string, at: Date): string {
  return `${slug}.moved-${at.toISOString().replace(/[:.]/g, "-")}`;
}

/** Trims and collapses whitespace; control characters are removed. */
export function cleanTopic(topic: string): string {
  return topic
    .replace(/[\p{Cc}\p{Cf}]/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
}
