/**
 * Builds the real universes of bench:explore from public name lists installed on this machine
 * (Debian's iso-codes), so exploration is measured on data this project did not make. Run
 * once, commit the output:
 *
 *   apt-get install iso-codes && npx tsx bench/data/explore/build.ts
 *
 * subdivisions.json: the 5,000-odd ISO 3166-2 subdivisions under their ~200 countries (two
 * levels), and where ISO names a subdivision's parent ("Île-de-France" > "Paris"), under it
 * (three levels for ~50 countries). Country labels are ISO 3166-1 common names when there is one.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ISO = "/usr/share/iso-codes/json";
const OUT = path.dirname(fileURLToPath(import.meta.url));

type Country = { alpha_2: string; name: string; common_name?: string };
type Subdivision = { code: string; name: string; type: string; parent?: string };
type Category = { label: string; items?: string[]; children?: Category[] };

const countries = (JSON.parse(readFileSync(path.join(ISO, "iso_3166-1.json"), "utf8")) as { "3166-1": Country[] })["3166-1"];
const subdivisions = (JSON.parse(readFileSync(path.join(ISO, "iso_3166-2.json"), "utf8")) as { "3166-2": Subdivision[] })["3166-2"];

const byCode = new Map(subdivisions.map((s) => [s.code, s]));
const childrenOf = new Map<string, Subdivision[]>();
for (const s of subdivisions) {
  const country = s.code.split("-")[0]!;
  // ISO writes a parent as "FR-IDF" or as "IDF" within the country.
  const parent = s.parent === undefined ? country : byCode.has(s.parent) ? s.parent : byCode.has(`${country}-${s.parent}`) ? `${country}-${s.parent}` : country;
  const list = childrenOf.get(parent) ?? [];
  list.push(s);
  childrenOf.set(parent, list);
}

function category(label: string, code: string): Category {
  const items: string[] = [];
  const children: Category[] = [];
  for (const s of childrenOf.get(code) ?? []) {
    items.push(s.name);
    if (childrenOf.has(s.code)) children.push(category(s.name, s.code));
  }
  return { label, ...(items.length > 0 ? { items } : {}), ...(children.length > 0 ? { children } : {}) };
}

const categories = countries.filter((c) => childrenOf.has(c.alpha_2)).map((c) => category(c.common_name ?? c.name, c.alpha_2));
const count = (c: Category): number => (c.items?.length ?? 0) + (c.children ?? []).reduce((n, x) => n + count(x), 0);
const spec = {
  source: "Debian iso-codes: iso_3166-1.json (country names), iso_3166-2.json (subdivisions and their parents)",
  topic: "Administrative subdivisions of the world's countries",
  plural: "subdivisions",
  categories,
};
writeFileSync(path.join(OUT, "subdivisions.json"), `${JSON.stringify(spec)}\n`);
console.log(
  `subdivisions.json: ${categories.length} countries, ${categories.reduce((n, c) => n + count(c), 0)} names, ${categories.filter((c) => c.children).length} with a third level`,
);

// timezones.json: the tz database's zone cities under their region ("America" > "Argentina" >
// "Buenos Aires"), a second real list that the tree's policy was not tuned on (Debian's tzdata).
const zones = readFileSync("/usr/share/zoneinfo/tzdata.zi", "utf8")
  .split("\n")
  .filter((l) => l.startsWith("Z "))
  .map((l) => l.split(" ")[1]!)
  .filter((z) => z.includes("/") && !z.startsWith("Etc/"));
const regions = new Map<string, Category>();
for (const z of zones) {
  const parts = z.split("/").map((p) => p.replace(/_/g, " "));
  const region = regions.get(parts[0]!) ?? { label: parts[0]!, items: [], children: [] };
  regions.set(parts[0]!, region);
  if (parts.length === 2) region.items!.push(parts[1]!);
  else {
    let sub = region.children!.find((c) => c.label === parts[1]);
    if (!sub) region.children!.push((sub = { label: parts[1]!, items: [] }));
    sub.items!.push(parts[2]!);
  }
}
const tz = {
  source: "Debian tzdata: tzdata.zi zone names (Etc/ left out)",
  topic: "Cities that name a time zone",
  plural: "cities",
  categories: [...regions.values()],
};
writeFileSync(path.join(OUT, "timezones.json"), `${JSON.stringify(tz)}\n`);
console.log(`timezones.json: ${regions.size} regions, ${zones.length} cities`);
