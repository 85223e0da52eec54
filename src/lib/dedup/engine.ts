import { analyseCandidate, canonicalKey } from "./canonical-key";
import { acronymOf, adjectival, CandidateIndex, isAcronymText, oneEditApart, stemsOf, type CandidateMatch, type CandidateSource } from "./blocking";
import type { BorderlineMatch, CheckResult, DedupEngine, DuplicateReason } from "./check-result";
import { HASH_BASE, HashMultimap, hashString, mix32 } from "./hash-multimap";
import { contentWords, isStopword, KeyScan, LastCheck, letterPrint } from "./key-scan";
import { DEFAULT_DEDUP_OPTIONS, type DedupOptions } from "./options";
import type { EditKind, SoftReason } from "./typo";
import { Vocabulary, type Neighbour } from "./vocabulary";

/** Initial capacity of each index (HashMultimap grows by doubling). */
const SMALL = 16;

/** keys[id] of a removed entry: no canonical key contains a control character. */
const REMOVED = "\u0000";

// Set by letterPrintHash for its caller: the print's length (no object per call on the hot path).
let printLength = 0;

/** hashString(letterPrint(text)), without building the string for ASCII text. */
function letterPrintHash(text: string): number {
  let h = 0;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c > 0x7e) {
      const print = letterPrint(text);
      printLength = print.length;
      return hashString(print);
    }
    if (c >= 65 && c <= 90) c += 32;
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) {
      h = (Math.imul(h, HASH_BASE) + c) | 0;
      n++;
    }
  }
  printLength = n;
  return h;
}

class DedupIndex implements DedupEngine {
  readonly options: Readonly<DedupOptions>;
  private readonly texts: string[] = [];
  private readonly keys: string[] = [];
  // Every index starts small and doubles as it fills: an engine may hold a handful of labels (a
  // topic tree makes one per branch) or a run's every entry. Started at 65,536 slots each, an
  // empty engine cost 5.4 MB, and a tree run's server grew ~170 MB a minute (bench:soak).
  /** hashString(key) -> entry id. A JS Map costs two more cache misses per lookup at 750k keys. */
  private readonly byKey = new HashMultimap(SMALL);
  // Near-duplicate indexes, filled only when options.nearDuplicates.
  private readonly vocabulary: Vocabulary;
  private readonly bags = new HashMultimap(SMALL);
  private readonly spacings = new HashMultimap(SMALL);
  private readonly swaps = new HashMultimap(SMALL);
  /** Letters and digits only, no folding beyond case and accents: "Sain tPaul" = "Saint Paul". */
  private readonly letterPrints = new HashMultimap(SMALL);
  /** Candidate generation beyond edit distance, filled only when options.blocking. */
  private readonly blocks = new CandidateIndex();
  /**
   * Alias memory: texts merged into an entry (by the engine's caller, a judge or the user).
   * memoryKeys[i] is the alias's key, memoryTargets[i] the key of the entry it names (REMOVED
   * once forgotten). Few (one per merge), so retargeting scans them.
   */
  private readonly memory = new HashMultimap(SMALL);
  private readonly memoryKeys: string[] = [];
  private readonly memoryTargets: string[] = [];
  private readonly scan = new KeyScan();
  private readonly last = new LastCheck();
  /** Bumped by every accept and remove, so a check() result is reused only on an unchanged index. */
  private version = 0;
  private removedCount = 0;

  constructor(options: Readonly<DedupOptions>) {
    this.options = options;
    this.vocabulary = new Vocabulary(options);
  }

  get size(): number {
    return this.texts.length - this.removedCount;
  }

  /** Sizes of the indexes, for the benchmark. */
  get stats(): { entries: number; vocabulary: number; wordVariants: number; indexBytes: number } {
    return {
      entries: this.texts.length,
      vocabulary: this.vocabulary.size,
      wordVariants: this.vocabulary.variantCount,
      indexBytes:
        [this.byKey, this.bags, this.spacings, this.swaps, this.letterPrints, this.memory].reduce((sum, t) => sum + t.bytes, 0) +
        this.vocabulary.bytes +
        this.blocks.bytes,
    };
  }

  check(candidate: string): CheckResult {
    const near = this.options.nearDuplicates;
    let key: string;
    let swappedKey: string | null = null;
    if (near) {
      const a = analyseCandidate(candidate);
      key = a.key;
      swappedKey = a.swappedKey;
    } else {
      key = canonicalKey(candidate);
    }
    const last = this.last;
    last.text = candidate;
    last.key = key;
    last.swappedKey = swappedKey;
    last.version = this.version;
    last.absent = false;
    last.scanned = false;
    if (key === "") return { unique: false, key, duplicateOf: "", kind: "exact", reason: "empty" };
    const keyHash = hashString(key);
    last.keyHash = keyHash;
    const id = this.findEntry(key, keyHash);
    if (id !== -1) return { unique: false, key, duplicateOf: this.texts[id]!, kind: "exact", reason: "same-key" };
    if (this.memoryKeys.length > 0) {
      const target = this.aliasTarget(key, keyHash);
      if (target !== -1) return { unique: false, key, duplicateOf: this.texts[target]!, kind: "exact", reason: "alias" };
    }
    last.absent = true;
    if (!near) return { unique: true, key };
    const r = this.findNear(key, swappedKey);
    if (!r.unique || !this.options.blocking) return r;
    const candidates = this.candidatesFor(candidate, key, r.borderline);
    return candidates.length === 0 ? r : { ...r, candidates };
  }

  rename(from: string, to: string): boolean {
    const key = canonicalKey(from);
    const id = key === "" ? -1 : this.findEntry(key, hashString(key));
    if (id === -1 || this.texts[id] !== from) return false;
    if (from === to) return true;
    const toKey = canonicalKey(to);
    if (toKey === key) {
      this.version++;
      this.last.text = null;
      this.texts[id] = to;
      if (this.options.nearDuplicates) {
        const h = letterPrintHash(to);
        if (printLength >= this.options.spacingMinLength) this.letterPrints.add(h, id);
      }
      if (this.options.blocking) this.blocks.add(id, to, key);
      return true;
    }
    // Another key (a described entry shown by its bare name): the old text becomes its alias.
    if (toKey === "" || this.findEntry(toKey, hashString(toKey)) !== -1) return false;
    this.remove(from);
    this.accept(to, toKey);
    this.addAlias(from, to);
    return true;
  }

  addAlias(alias: string, entry: string): boolean {
    const aliasKey = canonicalKey(alias);
    const targetKey = canonicalKey(entry);
    if (aliasKey === "" || aliasKey === targetKey || this.findEntry(targetKey, hashString(targetKey)) === -1) return false;
    this.version++;
    this.last.text = null;
    // Texts that named the alias now name its entry: never a chain of merges to follow.
    for (let i = 0; i < this.memoryTargets.length; i++) if (this.memoryTargets[i] === aliasKey) this.memoryTargets[i] = targetKey;
    const h = hashString(aliasKey);
    for (let r = this.memory.first(h); r !== -1; r = this.memory.nextSlot(r, h)) {
      const i = this.memory.valueAt(r);
      if (this.memoryKeys[i] === aliasKey) {
        this.memoryTargets[i] = targetKey;
        return true;
      }
    }
    this.memory.add(h, this.memoryKeys.length);
    this.memoryKeys.push(aliasKey);
    this.memoryTargets.push(targetKey);
    return true;
  }

  removeAlias(alias: string): boolean {
    const aliasKey = canonicalKey(alias);
    const h = hashString(aliasKey);
    for (let r = this.memory.first(h); r !== -1; r = this.memory.nextSlot(r, h)) {
      const i = this.memory.valueAt(r);
      if (this.memoryKeys[i] === aliasKey && this.memoryTargets[i] !== REMOVED) {
        this.version++;
        this.last.text = null;
        this.memoryTargets[i] = REMOVED;
        return true;
      }
    }
    return false;
  }

  suggestAlias(alias: string, entry: string): boolean {
    if (!this.options.blocking) return false;
    const aliasKey = canonicalKey(alias);
    const targetKey = canonicalKey(entry);
    const id = this.findEntry(targetKey, hashString(targetKey));
    if (aliasKey === "" || id === -1 || aliasKey === targetKey) return false;
    this.version++;
    this.last.text = null;
    this.blocks.addAlias(id, aliasKey);
    return true;
  }

  /** The entry an alias in memory names, or -1. */
  private aliasTarget(key: string, keyHash: number): number {
    for (let r = this.memory.first(keyHash); r !== -1; r = this.memory.nextSlot(r, keyHash)) {
      const i = this.memory.valueAt(r);
      if (this.memoryKeys[i] !== key) continue;
      const target = this.memoryTargets[i]!;
      return target === REMOVED ? -1 : this.findEntry(target, hashString(target));
    }
    return -1;
  }

  /** Entries to show a judge for a unique candidate: blocking sources, then the borderline band. */
  private candidatesFor(text: string, key: string, borderline: BorderlineMatch[] | undefined): CandidateMatch[] {
    const out: CandidateMatch[] = [];
    const seen = new Set<number>();
    let print: string | null = null;
    const max = this.options.maxCandidates;
    const push = (id: number, source: CandidateSource) => {
      if (out.length < max && !seen.has(id)) {
        seen.add(id);
        out.push({ duplicateOf: this.texts[id]!, source });
      }
    };
    const hits = this.blocks.lookup(text, key, (k) => this.findEntry(k, hashString(k)));
    const verified: { id: number; source: CandidateSource; rank: number }[] = [];
    for (const h of hits) {
      if (this.keys[h.id] === REMOVED || this.keys[h.id] === undefined) continue;
      const theirText = this.texts[h.id]!;
      const theirKey = this.keys[h.id]!;
      const stem = h.stem ?? "";
      let rank = -1;
      switch (h.source) {
        case "alias":
          rank = 0;
          break;
        case "slip":
          print ??= stem;
          if (oneEditApart(letterPrint(theirText), print)) rank = 7;
          break;
        case "acronym": {
          // The initials equal, or one a prefix of the other's (USA / United States): 2 letters at least.
          const initials = isAcronymText(text) ? acronymOf(theirKey) : stem;
          const capitals = isAcronymText(text) ? key : theirKey;
          if (initials !== null && initials.length >= 2 && (isAcronymText(text) || isAcronymText(theirText)) && capitals.startsWith(initials)) rank = 3;
          break;
        }
        default: {
          const theirs = stemsOf(theirText, theirKey);
          if (theirKey === stem || theirs.some((s) => s.stem === key)) rank = h.source === "description" ? 1 : 2;
          else if (theirs.some((s) => s.stem === stem)) rank = h.source === "containment" ? 6 : h.source === "description" ? 1 : 2;
          else if (h.source === "designator") {
            // the core one edit from an entry, or one side's core the other's adjective
            const mine = stemsOf(text, key);
            if (oneEditApart(letterPrint(theirText), stem)) rank = 5;
            else if (
              theirs.some((s) => s.source === "designator" && adjectival(s.stem, key)) ||
              mine.some((s) => s.source === "designator" && adjectival(s.stem, theirKey))
            )
              rank = 5;
          }
        }
      }
      if (rank !== -1) verified.push({ id: h.id, source: h.source, rank });
    }
    for (const m of borderline ?? []) {
      const id = this.findEntry(m.key, hashString(m.key));
      if (id !== -1) verified.push({ id, source: "typo", rank: 4 });
    }
    // Stable: within a rank, closest typo first and older entries first.
    verified.sort((a, b) => a.rank - b.rank);
    for (const v of verified) push(v.id, v.source);
    return out;
  }

  accept(text: string, key?: string): void {
    const last = this.last;
    // Fresh: check() just ran on this text against the current index.
    const fresh = last.text === text && last.version === this.version && (key === undefined || key === last.key) && last.key !== "";
    let keyHash: number;
    let swappedKey: string | null | undefined;
    let scanned = false;
    if (fresh) {
      if (!last.absent) return;
      key = last.key;
      keyHash = last.keyHash;
      swappedKey = last.swappedKey;
      scanned = last.scanned;
    } else {
      last.text = null;
      if (key === undefined) {
        const a = analyseCandidate(text);
        key = a.key;
        swappedKey = a.swappedKey;
      }
      if (key === "") return;
      keyHash = hashString(key);
      if (this.findEntry(key, keyHash) !== -1) return;
    }
    last.text = null;
    this.version++;
    const id = this.texts.length;
    this.texts.push(text);
    this.keys.push(key);
    this.byKey.add(keyHash, id);
    if (!this.options.nearDuplicates) return;
    const printHash = letterPrintHash(text);
    if (printLength >= this.options.spacingMinLength) this.letterPrints.add(printHash, id);

    if (!scanned) this.scanKey(key);
    const scan = this.scan;
    for (let i = 0; i < scan.count; i++) {
      let wordId = scan.id[i]!;
      // Found again if the same new word occurs twice in this key.
      if (wordId === -1) wordId = this.vocabulary.find(key, scan.from[i]!, scan.to[i]!, scan.hash[i]!);
      if (wordId === -1) wordId = this.vocabulary.add(key.slice(scan.from[i]!, scan.to[i]!), scan.hash[i]!);
      this.vocabulary.count(wordId);
    }
    if (scan.spacingHash !== 0) this.spacings.add(scan.spacingHash, id);
    if (scan.bagCount >= 2) this.bags.add(scan.bagHash, id);
    if (text.includes(",")) {
      if (swappedKey === undefined) swappedKey = analyseCandidate(text).swappedKey;
      if (swappedKey !== null) this.swaps.add(hashString(swappedKey), id);
    }
    if (this.options.blocking) this.blocks.add(id, text, key);
  }

  acceptMany(texts: Iterable<string>): number {
    const before = this.texts.length;
    if (Array.isArray(texts)) {
      const total = before + texts.length;
      this.byKey.reserve(total);
      if (this.options.nearDuplicates) {
        this.spacings.reserve(total);
        this.bags.reserve(total);
      }
    }
    for (const t of texts) this.accept(t);
    return this.texts.length - before;
  }

  remove(text: string): boolean {
    const key = canonicalKey(text);
    if (key === "") return false;
    const id = this.findEntry(key, hashString(key));
    if (id === -1 || this.texts[id] !== text) return false;
    this.version++;
    this.last.text = null;
    this.removedCount++;
    // The multimaps cannot delete: every lookup verifies keys[id], which no key can equal now.
    this.keys[id] = REMOVED;
    if (this.options.nearDuplicates) {
      this.scanKey(key);
      for (let i = 0; i < this.scan.count; i++) {
        const wordId = this.scan.id[i]!;
        if (wordId !== -1) this.vocabulary.uncount(wordId);
      }
    }
    return true;
  }

  private findEntry(key: string, hash: number): number {
    for (let r = this.byKey.first(hash); r !== -1; r = this.byKey.nextSlot(r, hash)) {
      const id = this.byKey.valueAt(r);
      if (this.keys[id] === key) return id;
    }
    return -1;
  }

  private near(key: string, id: number, reason: DuplicateReason): CheckResult {
    return { unique: false, key, duplicateOf: this.texts[id]!, kind: "near", reason };
  }

  /** Fills this.scan for `key`: word bounds, hashes, vocabulary ids, spacing and bag hashes. */
  private scanKey(key: string): void {
    const scan = this.scan;
    let count = 0;
    let unknown = 0;
    let start = 0;
    let wordHash = 0;
    let spacing = 0;
    let bag = 0;
    let bagCount = 0;
    const n = key.length;
    for (let i = 0; i <= n; i++) {
      const c = i < n ? key.charCodeAt(i) : 32;
      if (c !== 32) {
        wordHash = (Math.imul(wordHash, HASH_BASE) + c) | 0;
        spacing = (Math.imul(spacing, HASH_BASE) + c) | 0;
        continue;
      }
      if (i === start) {
        start = i + 1; // a stray space in a key the caller supplied
        continue;
      }
      if (count === scan.from.length) scan.grow();
      let id = this.vocabulary.find(key, start, i, wordHash);
      // A word whose entries were all removed is no longer a known word (accept finds it again).
      if (id !== -1 && this.vocabulary.entryCount(id) === 0) id = -1;
      scan.from[count] = start;
      scan.to[count] = i;
      scan.hash[count] = wordHash;
      scan.id[count] = id;
      if (id === -1) unknown++;
      if (!isStopword(key, start, i)) {
        bag = (bag + mix32(wordHash)) | 0;
        bagCount++;
      }
      count++;
      start = i + 1;
      wordHash = 0;
    }
    scan.count = count;
    scan.unknown = unknown;
    scan.spacingHash = n - (count - 1) >= this.options.spacingMinLength ? spacing || 1 : 0;
    scan.bagHash = bag;
    scan.bagCount = bagCount;
  }

  private findNear(key: string, swappedKey: string | null): CheckResult {
    this.scanKey(key);
    this.last.scanned = true;
    const scan = this.scan;

    if (swappedKey !== null) {
      const id = this.findEntry(swappedKey, hashString(swappedKey));
      if (id !== -1) return this.near(key, id, "word-order");
    }
    if (this.swaps.count > 0) {
      const h = this.last.keyHash;
      for (let r = this.swaps.first(h); r !== -1; r = this.swaps.nextSlot(r, h)) {
        const id = this.swaps.valueAt(r);
        if (this.keys[id] !== REMOVED && analyseCandidate(this.texts[id]!).swappedKey === key) return this.near(key, id, "word-order");
      }
    }

    const spacing = scan.spacingHash;
    if (spacing !== 0) {
      let despaced: string | null = null;
      for (let r = this.spacings.first(spacing); r !== -1; r = this.spacings.nextSlot(r, spacing)) {
        const id = this.spacings.valueAt(r);
        despaced ??= key.replaceAll(" ", "");
        if (this.keys[id]!.replaceAll(" ", "") === despaced) return this.near(key, id, "spacing");
      }
    }
    if (this.letterPrints.count > 0) {
      const text = this.last.text ?? "";
      const h = letterPrintHash(text);
      if (printLength >= this.options.spacingMinLength) {
        let print: string | null = null;
        for (let r = this.letterPrints.first(h); r !== -1; r = this.letterPrints.nextSlot(r, h)) {
          const id = this.letterPrints.valueAt(r);
          if (this.keys[id] === REMOVED) continue;
          print ??= letterPrint(text);
          if (letterPrint(this.texts[id]!) === print) return this.near(key, id, "spacing");
        }
      }
    }

    if (scan.bagCount >= 2) {
      const h = scan.bagHash;
      const contentCount = scan.bagCount;
      const wordCount = scan.count;
      let mine: string[] | null = null;
      for (let r = this.bags.first(h); r !== -1; r = this.bags.nextSlot(r, h)) {
        const id = this.bags.valueAt(r);
        const theirKey = this.keys[id]!;
        // Two content words in the same number of words is a swap (House Boat / Boat House), not a paraphrase.
        if (contentCount < this.options.reorderMinWords && theirKey.split(" ").length === wordCount) continue;
        mine ??= contentWords(key);
        const theirs = contentWords(theirKey);
        if (theirs.length === mine.length && theirs.every((w, i) => w === mine![i])) return this.near(key, id, "word-order");
      }
    }

    if (scan.unknown === 0 && !this.options.borderline) return { unique: true, key };
    return this.findTypo(key);
  }

  private findTypo(key: string): CheckResult {
    const { borderline, maxEditsPerKey } = this.options;
    const scan = this.scan;
    let slots: (Neighbour[] | undefined)[] | null = null;
    for (let i = 0; i < scan.count; i++) {
      const known = scan.id[i] !== -1;
      // A word already in use is a real word: replacing it is a different name, not a typo.
      if (known && !borderline) continue;
      const found = this.vocabulary.neighbours(key.slice(scan.from[i]!, scan.to[i]!), known, scan.count >= 2);
      if (found.length > 0) (slots ??= [])[i] = found;
    }
    if (slots === null) return { unique: true, key };

    const words = key.split(" ");
    let bestId = -1;
    let bestCost = Infinity;
    const close: BorderlineMatch[] = [];
    const alt = words.slice();
    const maxCost = maxEditsPerKey + (borderline ? 1 : 0);
    // A slip in one word of a long enough name whose other words are the same is strong evidence.
    const context = words.length >= 2 && key.length - (words.length - 1) >= this.options.contextMinLetters;
    const tryKey = (cost: number, soft: SoftReason | null, edit?: EditKind) => {
      const altKey = alt.join(" ");
      const id = this.findEntry(altKey, hashString(altKey));
      if (id === -1) return;
      if (soft === null && cost <= maxEditsPerKey) {
        if (cost < bestCost || (cost === bestCost && id < bestId)) {
          bestId = id;
          bestCost = cost;
        }
      } else if (borderline && !close.some((c) => c.key === altKey)) {
        close.push({ duplicateOf: this.texts[id]!, key: altKey, reason: soft ?? "over-budget", cost, ...(edit ? { edit } : {}) });
      }
    };
    for (let i = 0; i < slots.length; i++) {
      for (const n1 of slots[i] ?? []) {
        if (n1.cost > maxCost) continue;
        alt[i] = n1.word;
        tryKey(n1.cost, n1.soft === "weak-evidence" && n1.slip && context ? null : n1.soft, n1.kind);
        for (let j = i + 1; j < slots.length; j++) {
          for (const n2 of slots[j] ?? []) {
            if (n1.cost + n2.cost > maxCost) continue;
            // Skip the pair of weak slips the vocabulary keeps only for the context rule.
            if (!borderline && (n1.soft !== null || n2.soft !== null)) continue;
            alt[j] = n2.word;
            tryKey(n1.cost + n2.cost, n1.soft ?? n2.soft);
          }
          alt[j] = words[j]!;
        }
        alt[i] = words[i]!;
      }
    }
    if (bestId !== -1) return this.near(key, bestId, "typo");
    if (close.length === 0) return { unique: true, key };
    close.sort((x, y) => x.cost - y.cost);
    return { unique: true, key, borderline: close };
  }
}

export function createDedupEngine(options: Partial<DedupOptions> = {}): DedupEngine {
  const merged = { ...DEFAULT_DEDUP_OPTIONS, ...options };
  for (const [name, value] of Object.entries(merged)) {
    if (typeof value === "number" && !(Number.isInteger(value) && value >= 0))
      throw new RangeError(`dedup option ${name} must be a non-negative integer, got ${value}`);
  }
  return new DedupIndex(Object.freeze(merged));
}
