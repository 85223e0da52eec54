/**
 * A 32-bit hash -> non-negative int multimap in one typed array, open addressing with linear
 * probing. The near-duplicate indexes hold millions of small records (deletion variants, word
 * bags); as JS Map entries with string keys they would cost ~80 bytes each, here 8 per slot at
 * most 3/4 full. Hash collisions are expected: callers verify what they find.
 */
export class HashMultimap {
  // slots[2i] = hash, slots[2i + 1] = value, or -1 when the slot is empty.
  private slots: Int32Array;
  private mask: number;
  count = 0;

  constructor(initialCapacity = 1024) {
    let cap = 16;
    while (cap * 0.75 < initialCapacity) cap *= 2;
    this.slots = new Int32Array(cap * 2).fill(-1);
    this.mask = cap - 1;
  }

  add(hash: number, value: number): void {
    if (this.count >= (this.mask + 1) * 0.75) this.grow();
    this.place(this.slots, this.mask, hash, value);
    this.count++;
  }

  /** Makes room for `total` records at once, instead of growing step by step. */
  reserve(total: number): void {
    while (total >= (this.mask + 1) * 0.75) this.grow();
  }

  /** The first slot holding `hash`, or -1; then nextSlot(slot, hash) until -1. */
  first(hash: number): number {
    return this.scan(mix32(hash) & this.mask, hash);
  }

  nextSlot(slot: number, hash: number): number {
    return this.scan((slot + 1) & this.mask, hash);
  }

  valueAt(slot: number): number {
    return this.slots[slot * 2 + 1]!;
  }

  get bytes(): number {
    return this.slots.byteLength;
  }

  private scan(slot: number, hash: number): number {
    const slots = this.slots;
    for (;;) {
      const v = slots[slot * 2 + 1]!;
      if (v === -1) return -1;
      if (slots[slot * 2] === hash) return slot;
      slot = (slot + 1) & this.mask;
    }
  }

  private place(slots: Int32Array, mask: number, hash: number, value: number): void {
    let slot = mix32(hash) & mask;
    while (slots[slot * 2 + 1] !== -1) slot = (slot + 1) & mask;
    slots[slot * 2] = hash;
    slots[slot * 2 + 1] = value;
  }

  private grow(): void {
    const old = this.slots;
    const cap = (this.mask + 1) * 2;
    const slots = new Int32Array(cap * 2).fill(-1);
    const mask = cap - 1;
    for (let i = 0; i < old.length; i += 2) if (old[i + 1] !== -1) this.place(slots, mask, old[i]!, old[i + 1]!);
    this.slots = slots;
    this.mask = mask;
  }
}

/**
 * The same interface for keys many values share (a designator core, a name's initials): each
 * distinct hash has one slot holding the first and last record of its chain, records are linked
 * in insertion order. HashMultimap keeps equal hashes in one probe run, so adding the k-th value
 * of a hash walks k slots and growing re-walks them all: 100,000 entries under one blocking key
 * took ~20 s to index (restart of bench/pipeline.ts), here linear. Iterates each hash's values
 * oldest first; `slot` is a record number.
 */
export class ChainMultimap {
  // heads[3i] = hash, heads[3i + 1] = first record, heads[3i + 2] = last record (-1: empty slot).
  private heads: Int32Array;
  private mask: number;
  private distinct = 0;
  private values: Int32Array;
  private next: Int32Array;
  count = 0;

  constructor(initialCapacity = 16) {
    let cap = 16;
    while (cap * 0.75 < initialCapacity) cap *= 2;
    this.heads = new Int32Array(cap * 3).fill(-1);
    this.mask = cap - 1;
    this.values = new Int32Array(cap);
    this.next = new Int32Array(cap);
  }

  add(hash: number, value: number): void {
    const rec = this.count;
    if (rec === this.values.length) {
      const values = new Int32Array(rec * 2);
      values.set(this.values);
      this.values = values;
      const next = new Int32Array(rec * 2);
      next.set(this.next);
      this.next = next;
    }
    this.values[rec] = value;
    this.next[rec] = -1;
    this.count++;
    let slot = this.headSlot(hash);
    if (slot !== -1) {
      this.next[this.heads[slot * 3 + 2]!] = rec;
      this.heads[slot * 3 + 2] = rec;
      return;
    }
    if (this.distinct >= (this.mask + 1) * 0.75) this.grow();
    const heads = this.heads;
    slot = mix32(hash) & this.mask;
    while (heads[slot * 3 + 1] !== -1) slot = (slot + 1) & this.mask;
    heads[slot * 3] = hash;
    heads[slot * 3 + 1] = rec;
    heads[slot * 3 + 2] = rec;
    this.distinct++;
  }

  first(hash: number): number {
    const slot = this.headSlot(hash);
    return slot === -1 ? -1 : this.heads[slot * 3 + 1]!;
  }

  nextSlot(rec: number, _hash: number): number {
    return this.next[rec]!;
  }

  valueAt(rec: number): number {
    return this.values[rec]!;
  }

  get bytes(): number {
    return this.heads.byteLength + this.values.byteLength + this.next.byteLength;
  }

  private headSlot(hash: number): number {
    const heads = this.heads;
    for (let slot = mix32(hash) & this.mask; ; slot = (slot + 1) & this.mask) {
      if (heads[slot * 3 + 1] === -1) return -1;
      if (heads[slot * 3] === hash) return slot;
    }
  }

  private grow(): void {
    const old = this.heads;
    const cap = (this.mask + 1) * 2;
    const heads = new Int32Array(cap * 3).fill(-1);
    const mask = cap - 1;
    for (let i = 0; i < old.length; i += 3) {
      if (old[i + 1] === -1) continue;
      let slot = mix32(old[i]!) & mask;
      while (heads[slot * 3 + 1] !== -1) slot = (slot + 1) & mask;
      heads[slot * 3] = old[i]!;
      heads[slot * 3 + 1] = old[i + 1]!;
      heads[slot * 3 + 2] = old[i + 2]!;
    }
    this.heads = heads;
    this.mask = mask;
  }
}

/** murmur3's finaliser: spreads the polynomial hash's low-entropy bits before masking. */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/** Multiplier of hashString's polynomial; callers that hash words inline must use the same. */
export const HASH_BASE = 0x01000193;
const BASE = HASH_BASE;
const MAX_POWER = 1024;
const POWERS = new Int32Array(MAX_POWER);
POWERS[0] = 1;
for (let i = 1; i < MAX_POWER; i++) POWERS[i] = Math.imul(POWERS[i - 1]!, BASE);

/** Polynomial hash of a string; a deletion variant hashes to the same value as the string it spells. */
export function hashString(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, BASE) + s.charCodeAt(i)) | 0;
  return h;
}

/** Longest word the deletion index handles; longer words are never typo-matched. */
export const MAX_INDEXED_WORD = 48;

const prefix = new Int32Array(MAX_INDEXED_WORD + 1);

function rangeHash(from: number, to: number): number {
  return (prefix[to]! - Math.imul(prefix[from]!, POWERS[to - from]!)) | 0;
}

/**
 * Writes into `out` the hashes of `word` and of every string made by deleting up to `depth`
 * (0..2) of its characters; returns how many. Deletions inside a run of equal letters give
 * the same string and are skipped; a few duplicates remain and callers tolerate them.
 */
export function deletionHashes(word: string, depth: number, out: Int32Array): number {
  const n = word.length;
  prefix[0] = 0;
  for (let i = 0; i < n; i++) prefix[i + 1] = (Math.imul(prefix[i]!, BASE) + word.charCodeAt(i)) | 0;
  let k = 0;
  out[k++] = prefix[n]!;
  if (depth < 1 || n < 2) return k;
  for (let i = 0; i < n; i++) {
    if (i > 0 && word.charCodeAt(i) === word.charCodeAt(i - 1)) continue;
    out[k++] = (Math.imul(prefix[i]!, POWERS[n - 1 - i]!) + rangeHash(i + 1, n)) | 0;
  }
  if (depth < 2 || n < 3) return k;
  for (let i = 0; i < n; i++) {
    if (i > 0 && word.charCodeAt(i) === word.charCodeAt(i - 1)) continue;
    const head = Math.imul(prefix[i]!, POWERS[n - 2 - i]!);
    for (let j = i + 1; j < n; j++) {
      if (j > i + 1 && word.charCodeAt(j) === word.charCodeAt(j - 1)) continue;
      out[k++] = (head + Math.imul(rangeHash(i + 1, j), POWERS[n - 1 - j]!) + rangeHash(j + 1, n)) | 0;
    }
  }
  return k;
}

/** Size `out` must have for deletionHashes on words up to MAX_INDEXED_WORD at depth 2. */
export const DELETION_BUFFER_SIZE = 1 + MAX_INDEXED_WORD + (MAX_INDEXED_WORD * (MAX_INDEXED_WORD - 1)) / 2;
