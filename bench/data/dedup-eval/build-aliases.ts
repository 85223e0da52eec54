/**
 * Builds the official/common-name and alias tier of the dedup evaluation set from real data on
 * this machine (Debian iso-codes and tzdata; see SOURCES.md). Run once, commit the output:
 *
 *   npx tsx bench/data/dedup-eval/build-aliases.ts
 *
 * Output: aliases.json, `{ pairs: [entry, variant, source, topic][] }`: `variant` names the same
 * thing as `entry` (an entry of places.json or languages.json when it is listed there). Sources:
 *   official     ISO 3166-1 name / official_name / common_name of one country, each pair of the three;
 *   common       ISO 639-3 name / common_name of one language;
 *   designator   ISO 3166-2 subdivision name with its own type ("Canterbury" / "Canterbury Region",
 *                "Region of Canterbury"): the record's two fields, composed;
 *   description  the same subdivision with a trailing description made of its record ("Canterbury
 *                (region of New Zealand)", "Canterbury - a region in New Zealand", "Canterbury: region, New Zealand");
 *   tz-link      tzdata `backward` links within one area (Asia/Calcutta -> Asia/Kolkata): one zone
 *                under an old and a new name; most are renamings, some distinct cities that share a
 *                clock (Europe/Belfast -> Europe/London), so they are reported apart, with no target.
 * Slips are the typo classes of places.json and languages.json (generated there).
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { seededRng } from "../../../src/lib/stats/math";

const ISO = "/usr/share/iso-codes/json";
const OUT = path.dirname(fileURLToPath(import.meta.url));

type Rec = Record<string, string | undefined>;
const iso = (file: string, standard: string): Rec[] => (JSON.parse(readFileSync(path.join(ISO, file), "utf8")) as Record<string, Rec[]>)[standard]!;

export type AliasSource = "official" | "common" | "designator" | "description" | "tz-link";

function main(): void {
  const pairs: [string, string, AliasSource, string][] = [];
  const seen = new Set<string>();
  const add = (entry: string, variant: string, source: AliasSource, topic: string) => {
    const id = `${entry}\u0000${variant}`;
    if (entry === variant || seen.has(id)) return;
    seen.add(id);
    pairs.push([entry, variant, source, topic]);
  };

  const countries = new Map<string, string>();
  for (const c of iso("iso_3166-1.json", "3166-1")) {
    const forms = [c.common_name, c.name, c.official_name].filter((f): f is string => f !== undefined);
    countries.set(c.alpha_2!, forms[0]!);
    for (let i = 0; i < forms.length; i++) for (let j = i + 1; j < forms.length; j++) add(forms[i]!, forms[j]!, "official", "places");
  }
  for (const l of iso("iso_639-3.json", "639-3")) if (l.common_name) add(l.name!, l.common_name, "common", "languages");

  const rnd = seededRng(19);
  for (const s of iso("iso_3166-2.json", "3166-2")) {
    const name = s.name!;
    const type = s.type!;
    const country = countries.get(s.code!.slice(0, 2));
    // One form per record and source, chosen by the seeded generator, so the tier stays the size of the list.
    const lower = type.toLowerCase();
    const designated = rnd() < 0.5 ? `${name} ${type}` : `${type} of ${name}`;
    add(name, designated, "designator", "places");
    if (country === undefined) continue;
    const described = [`${name} (${lower} of ${country})`, `${name} - a ${lower} in ${country}`, `${name}: ${lower}, ${country}`][Math.floor(rnd() * 3)]!;
    add(name, described, "description", "places");
  }

  for (const line of readFileSync("/usr/share/zoneinfo/tzdata.zi", "utf8").split("\n")) {
    const m = /^L (\S+)\/(\S+) (\S+)\/(\S+)$/.exec(line);
    if (!m || m[1] !== m[3]) continue;
    const target = m[2]!.split("/").pop()!.replaceAll("_", " ");
    const link = m[4]!.split("/").pop()!.replaceAll("_", " ");
    add(target, link, "tz-link", "places");
  }

  const body = pairs.map((p) => JSON.stringify(p)).join(",\n");
  writeFileSync(path.join(OUT, "aliases.json"), `{"pairs":[\n${body}\n]}\n`);
  const counts: Record<string, number> = {};
  for (const p of pairs) counts[p[2]] = (counts[p[2]] ?? 0) + 1;
  console.log(`aliases.json: ${pairs.length} pairs`, counts);
}

main();
