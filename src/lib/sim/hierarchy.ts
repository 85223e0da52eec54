import { inventWord, singular, skeleton, topicHeadNoun } from "./names";
import { hash01, Rng } from "./prng";
import { itemKey, type Universe } from "./universe";

/**
 * The sub-categories of a topic's universe: the root splits into categories of varying sizes,
 * each into sub-categories; every item belongs to exactly one leaf. Deterministic from the
 * topic. A `flat` universe has no natural sub-categories: the root is the only node, and
 * whatever subtopics a model proposes for it do not narrow anything.
 *
 * Names: a category is "<Keyword> <plural head noun>" ("Velmoran birds"); a sub-category
 * "<Qualifier> <Keyword> <plural>" ("Coastal Velmoran birds"). A label is resolved to a node by
 * its words, not its exact spelling: the keyword picks the category, one qualifier of that
 * category picks the sub-category. So aliases ("Birds of Velmora"), noisy case and plurals land
 * on the same node, two qualifiers ("Coastal and upland Velmoran birds") land on the category
 * (too broad), and a label with no keyword ("Rare birds") lands nowhere.
 */

export type UniverseShape = "hierarchical" | "flat";

export interface HierarchyNode {
  id: number;
  parent: number | null;
  depth: number;
  label: string;
  /** Category keyword ("velmoran") and its stem ("velmor") for depth 1 and 2; qualifier (lowercase) for depth 2. */
  keyword: string | null;
  stem: string | null;
  qualifier: string | null;
  /**
   * Words a label must contain to name this node (a real hierarchy's nodes, whose labels are
   * real names: "France", "Île-de-France"); null for generated nodes, resolved by keyword.
   */
  match?: string[] | null;
  children: number[];
  /** Universe ranks of the items under this node, ascending (most popular first). */
  ranks: number[];
}

export interface Hierarchy {
  shape: UniverseShape;
  /** nodes[0] is the root (the whole universe). */
  nodes: HierarchyNode[];
  /** Leaf node id of each rank. */
  leafOf: Int32Array;
  /** Plural head noun as labels use it ("birds"). */
  plural: string;
  /** Built from a real name list (`realHierarchy`): labels are resolved by their words. */
  real?: boolean;
  /** Membership masks per node, built on demand. */
  mask(nodeId: number): Uint8Array;
}

const QUALIFIERS = [
  "Coastal",
  "Upland",
  "Northern",
  "Southern",
  "Eastern",
  "Western",
  "Early",
  "Late",
  "Classic",
  "Modern",
  "Lesser",
  "Greater",
  "Island",
  "Highland",
  "Lowland",
  "River",
  "Desert",
  "Forest",
  "Mountain",
  "Urban",
  "Royal",
  "Common",
  "Wild",
  "Minor",
];
const KEYWORD_SUFFIXES = ["an", "ian", "ese", "ic", "ish"];

function pluralOf(head: string | null): string {
  if (!head) return "items";
  const w = head.toLowerCase();
  if (/[^aeiou]y$/.test(w)) return `${w.slice(0, -1)}ies`;
  if (/(?:s|x|z|ch|sh)$/.test(w)) return `${w}es`;
  return `${w}s`;
}

function titleCase(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** Words of a label, lowercase, singular: what resolution compares. */
export function labelWords(label: string): string[] {
  return label
    .toLowerCase()
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .split(/[^a-z]+/)
    .filter((w) => w.length > 0)
    .map(singular);
}

/** Splits `total` into `parts` sizes, log-normally spread (some large, some small), each ≥ 1. */
function spreadSizes(rng: Rng, total: number, parts: number, sd: number): number[] {
  const raw = Array.from({ length: parts }, () => Math.exp(sd * rng.normal()));
  const sum = raw.reduce((a, b) => a + b, 0);
  const sizes = raw.map((r) => Math.max(1, Math.floor((r / sum) * total)));
  let left = total - sizes.reduce((a, b) => a + b, 0);
  for (let i = 0; left !== 0; i = (i + 1) % parts) {
    if (left > 0) {
      sizes[i]!++;
      left--;
    } else if (sizes[i]! > 1) {
      sizes[i]!--;
      left++;
    }
  }
  return sizes;
}

export interface HierarchyParams {
  shape: UniverseShape;
  /** Mean number of categories under the root (± 40 %, per topic). */
  categories: number;
  /** Mean number of sub-categories per category (± 60 %, per category). */
  subcategories: number;
}

/** Membership masks per node over `n` ranks, built on demand and kept. */
function maskCache(nodes: readonly HierarchyNode[], n: number): (id: number) => Uint8Array {
  const masks = new Map<number, Uint8Array>();
  return (id) => {
    let m = masks.get(id);
    if (!m) {
      m = new Uint8Array(n);
      for (const r of nodes[id]?.ranks ?? []) m[r] = 1;
      masks.set(id, m);
    }
    return m;
  };
}

export function generateHierarchy(universe: Universe, params: HierarchyParams): Hierarchy {
  const n = universe.items.length;
  const plural = pluralOf(topicHeadNoun(universe.topic));
  const root: HierarchyNode = { id: 0, parent: null, depth: 0, label: universe.topic, keyword: null, stem: null, qualifier: null, children: [], ranks: [] };
  const nodes: HierarchyNode[] = [root];
  const leafOf = new Int32Array(n);
  const mask = maskCache(nodes, n);
  root.ranks = Array.from({ length: n }, (_, r) => r);
  if (params.shape === "flat" || n < 20) return { shape: "flat", nodes, leafOf, plural, mask };

  const rng = Rng.from("hierarchy", universe.topic);
  const catCount = Math.max(2, Math.round(params.categories * (0.6 + 0.8 * hash01("categories", universe.topic))));
  const skeletons = new Set<string>();
  const catSizes = spreadSizes(rng, n, catCount, 0.7);
  // Items join categories by a per-item hash, so each category holds famous and obscure items alike.
  const leaves: Array<{ id: number; weight: number }> = [];
  for (let c = 0; c < catCount; c++) {
    let stem: string;
    do stem = inventWord(rng);
    while (skeletons.has(skeleton(stem)));
    skeletons.add(skeleton(stem));
    const keyword = `${stem}${rng.pick(KEYWORD_SUFFIXES)}`;
    const cat: HierarchyNode = {
      id: nodes.length,
      parent: 0,
      depth: 1,
      label: `${titleCase(keyword)} ${plural}`,
      keyword,
      stem,
      qualifier: null,
      children: [],
      ranks: [],
    };
    nodes.push(cat);
    root.children.push(cat.id);
    const subCount = Math.max(2, Math.round(params.subcategories * (0.4 + 1.2 * rng.next())));
    const shuffled = [...QUALIFIERS];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    const qualifiers = shuffled.slice(0, Math.min(subCount, QUALIFIERS.length));
    const subSizes = spreadSizes(rng, 1000, qualifiers.length, 0.8);
    qualifiers.forEach((q, i) => {
      const sub: HierarchyNode = {
        id: nodes.length,
        parent: cat.id,
        depth: 2,
        label: `${q} ${titleCase(keyword)} ${plural}`,
        keyword,
        stem,
        qualifier: q.toLowerCase(),
        children: [],
        ranks: [],
      };
      nodes.push(sub);
      cat.children.push(sub.id);
      leaves.push({ id: sub.id, weight: ((catSizes[c] ?? 1) * (subSizes[i] ?? 1)) / 1000 });
    });
  }
  const totalWeight = leaves.reduce((a, l) => a + l.weight, 0);
  const cumulative: number[] = [];
  let acc = 0;
  for (const l of leaves) cumulative.push((acc += l.weight / totalWeight));
  for (let r = 0; r < n; r++) {
    const u = hash01("leaf", universe.topic, r);
    let i = cumulative.findIndex((c) => u < c);
    if (i === -1) i = leaves.length - 1;
    const leaf = leaves[i]!.id;
    leafOf[r] = leaf;
    for (let id: number | null = leaf; id !== null && id !== 0; id = nodes[id]!.parent) nodes[id]!.ranks.push(r);
  }
  return { shape: "hierarchical", nodes, leafOf, plural, mask };
}

/**
 * The node a subtopic label stands for, or null when it names nothing in the hierarchy.
 * `within`: only nodes under this one count (a label is read in the context of its path).
 */
export function resolveLabel(h: Hierarchy, label: string, within = 0): number | null {
  if (h.shape === "flat") return null;
  const words = new Set(labelWords(label));
  if (h.real) return resolveRealLabel(h, words, within);
  const cats = h.nodes.filter((x) => x.depth === 1 && x.keyword !== null && x.stem !== null && (words.has(singular(x.keyword)) || words.has(singular(x.stem))));
  if (cats.length !== 1) return cats.length > 1 && within === 0 ? 0 : null;
  const cat = cats[0]!;
  const quals = cat.children.map((id) => h.nodes[id]!).filter((s) => s.qualifier !== null && words.has(singular(s.qualifier)));
  const node = quals.length === 1 ? quals[0]! : cat;
  return isUnder(h, node.id, within) ? node.id : null;
}

/**
 * A real hierarchy: from `within` down, the child whose name's words the label holds (the one
 * with the most words when several do: "Île-de-France" over "France"), as deep as it goes.
 */
function resolveRealLabel(h: Hierarchy, words: ReadonlySet<string>, within: number): number | null {
  let node = within;
  for (;;) {
    let best: HierarchyNode | null = null;
    let tie = false;
    for (const id of h.nodes[node]!.children) {
      const c = h.nodes[id]!;
      if (!c.match || c.match.length === 0 || !c.match.every((w) => words.has(w))) continue;
      if (!best || c.match.length > best.match!.length) {
        best = c;
        tie = false;
      } else if (c.match.length === best.match!.length) tie = true;
    }
    if (!best || tie) break;
    node = best.id;
  }
  return node === within ? null : node;
}

/** Words that do not identify a real node ("Republic of the Congo" is named by "republic" and "congo"). */
const FILLER_WORDS = new Set(["of", "the", "and", "de", "la", "le", "du", "des", "del", "da", "do", "y", "et"]);

/** A category of a real hierarchy: a real name, with items and/or narrower categories. */
export interface RealCategory {
  label: string;
  items?: readonly string[];
  children?: readonly RealCategory[];
}

/**
 * The hierarchy of a real name list (bench/data/explore): the universe's items are the list's
 * names, every node a real category ("France" > "Île-de-France" > "Paris"). Items listed under
 * a category that also has narrower ones belong to the category itself (a leaf of their own).
 */
export function realHierarchy(universe: Universe, plural: string, categories: readonly RealCategory[]): Hierarchy {
  const n = universe.items.length;
  const root: HierarchyNode = { id: 0, parent: null, depth: 0, label: universe.topic, keyword: null, stem: null, qualifier: null, children: [], ranks: [] };
  const nodes: HierarchyNode[] = [root];
  const leafOf = new Int32Array(n).fill(0);
  const add = (c: RealCategory, parent: HierarchyNode) => {
    const node: HierarchyNode = {
      id: nodes.length,
      parent: parent.id,
      depth: parent.depth + 1,
      label: c.label,
      keyword: null,
      stem: null,
      qualifier: null,
      match: labelWords(c.label).filter((w) => !FILLER_WORDS.has(w)),
      children: [],
      ranks: [],
    };
    nodes.push(node);
    parent.children.push(node.id);
    for (const item of c.items ?? []) {
      const r = universe.index.get(itemKey(item));
      if (r !== undefined && leafOf[r] === 0) leafOf[r] = node.id;
    }
    for (const child of c.children ?? []) add(child, node);
  };
  for (const c of categories) add(c, root);
  for (let r = 0; r < n; r++) for (let id: number | null = leafOf[r]!; id !== null; id = nodes[id]!.parent) nodes[id]!.ranks.push(r);
  const mask = maskCache(nodes, n);
  return { shape: "hierarchical", real: true, nodes, leafOf, plural, mask };
}

export function isUnder(h: Hierarchy, id: number, ancestor: number): boolean {
  for (let x: number | null = id; x !== null; x = h.nodes[x]!.parent) if (x === ancestor) return true;
  return false;
}

/** The node a branch path stands for: the deepest element that resolves, read top-down. Root when none does. */
export function resolvePath(h: Hierarchy, path: readonly string[]): number {
  let node = 0;
  for (const label of path) {
    const r = resolveLabel(h, label, node);
    if (r !== null) node = r;
  }
  return node;
}
