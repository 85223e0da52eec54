/**
 * A 32-bit hash -> int multimap in typed arrays. The near-duplicate indexes hold millions of
 * small records (deletion variants, word bags); as JS Map entries with string keys they
 * would cost ~80 bytes each, here 12. Hash collisions are expected: callers verify.
 */
export class HashMultimap {
  private heads: Int32Array;
  private mask: number;
  hashes: Int32Array;
  values: Int32Array;
  next: Int32Array;
  count = 0;

  constructor(initialCapacity = 1024) {
    let cap = 16;
    while (cap < initialCapacity) cap *= 2;
    this.heads = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
    this.hashes = new Int32Array(cap);
    this.values = new Int32Array(cap);
    this.next = new Int32Array(cap);
  }

  add(hash: number, value: number): void {
    if (this.count === this.hashes.length) this.grow();
    const r = this.count++;
    const slot = mix32(hash) & this.mask;
    this.hashes[r] = hash;
    this.values[r] = value;
    this.next[r] = this.heads[slot]!;
    this.heads[slot] = r;
  }

  /** First record in the chain `hash` falls into, or -1; follow `next` and compare `hashes`. */
  first(hash: number): number {
    return this.heads[mix32(hash) & this.mask]!;
  }

  /** Bytes held by the typed arrays, for the benchmark's memory breakdown. */
  get bytes(): number {
    return this.heads.byteLength + this.hashes.byteLength * 3;
  }

  private grow(): void {
    const cap = this.hashes.length * 2;
    const hashes = new Int32Array(cap);
    hashes.set(this.hashes);
    const values = new Int32Array(cap);
    values.set(this.values);
    this.hashes = hashes;
    this.values = values;
    this.next = new Int32Array(cap);
    this.heads = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
    for (let r = 0; r < this.count; r++) {
      const slot = mix32(hashes[r]!) & this.mask;
      this.next[r] = this.heads[slot]!;
      this.heads[slot] = r;
    }
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

const BASE = 0x01000193;
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
