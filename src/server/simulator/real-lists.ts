import fs from "node:fs";
import path from "node:path";
import { parseRealList, RealListError, type RealUniverseSpec } from "../../lib/sim/real-list";
import { canonicalTopic } from "../../lib/sim/universe";

/**
 * The real name lists of IGENTAI_SIM_REAL_LISTS: files separated by the platform's path
 * delimiter (":" here), each a JSON list in the shape of bench/data/explore/*.json. A file that
 * cannot be read or does not fit is an error naming it: the simulator does not start half-set.
 */
export function readRealLists(value: string | undefined): RealUniverseSpec[] {
  if (value === undefined || value.trim() === "") return [];
  const byTopic = new Map<string, string>();
  return value
    .split(path.delimiter)
    .map((f) => f.trim())
    .filter((f) => f !== "")
    .map((file) => {
      let text: string;
      try {
        text = fs.readFileSync(file, "utf8");
      } catch (err) {
        throw new RealListError(`IGENTAI_SIM_REAL_LISTS: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
      }
      const spec = parseRealList(text, `IGENTAI_SIM_REAL_LISTS: ${file}`);
      // Two lists of one topic: the later would quietly replace the earlier.
      const earlier = byTopic.get(canonicalTopic(spec.topic));
      if (earlier !== undefined) throw new RealListError(`IGENTAI_SIM_REAL_LISTS: ${file} and ${earlier} both serve the topic "${spec.topic}"`);
      byTopic.set(canonicalTopic(spec.topic), file);
      return spec;
    });
}
