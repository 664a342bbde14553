// Id -> index maps shared by the successive versions of one character's graph. A version sees the
// entries below its own count; a patch appends the new ids to the map it was built on (when no
// other patch already did), so moving to a new version copies nothing. The map only grows: an id
// keeps its index in every version that holds it.

/** The shared part: the map and how many entries it holds (the newest version's count). */
interface Shared {
  map: Map<string, number>;
  count: number;
}

/** A read-only id -> index map holding the entries below `size`. */
export class IdIndex implements ReadonlyMap<string, number> {
  private constructor(
    private readonly shared: Shared,
    readonly size: number,
  ) {}

  /**
   * An index over `ids` (id i -> i); `ids` must be distinct.
   * @example
   * const index = IdIndex.of(['a', 'b']); // index.get('b') === 1
   */
  static of(ids: readonly string[]): IdIndex {
    const map = new Map<string, number>();
    for (let i = 0; i < ids.length; i++) map.set(ids[i]!, i);
    return new IdIndex({ map, count: ids.length }, ids.length);
  }

  /**
   * An index taking over `map` (its values must be 0 .. size - 1, each once); the caller no
   * longer changes it.
   * @example
   * const index = IdIndex.adopt(new Map([['a', 0]]));
   */
  static adopt(map: Map<string, number>): IdIndex {
    return new IdIndex({ map, count: map.size }, map.size);
  }

  /**
   * This index with `ids` appended (numbered from `size` on), or null when one of them is already
   * held. Shares the map when this is the newest index over it; copies it otherwise.
   * @example
   * const next = index.extend(['c']); // next.get('c') === 2; index.get('c') === undefined
   */
  extend(ids: readonly string[]): IdIndex | null {
    for (const id of ids) if (this.has(id)) return null;
    if (ids.length === 0) return this;
    // The newest index over the map: no entry at or above `size` yet, append in place. Otherwise
    // (a patch of an older version), the entries below `size` are copied.
    let shared = this.shared;
    if (shared.count !== this.size) {
      const map = new Map<string, number>();
      for (const [id, i] of this) map.set(id, i);
      shared = { map, count: this.size };
    }
    for (let i = 0; i < ids.length; i++) shared.map.set(ids[i]!, this.size + i);
    shared.count = this.size + ids.length;
    return new IdIndex(shared, shared.count);
  }

  get(id: string): number | undefined {
    const i = this.shared.map.get(id);
    return i !== undefined && i < this.size ? i : undefined;
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  *entries(): MapIterator<[string, number]> {
    for (const entry of this.shared.map) if (entry[1] < this.size) yield entry;
  }

  *keys(): MapIterator<string> {
    for (const [id] of this.entries()) yield id;
  }

  *values(): MapIterator<number> {
    for (const [, i] of this.entries()) yield i;
  }

  [Symbol.iterator](): MapIterator<[string, number]> {
    return this.entries();
  }

  forEach(callback: (value: number, key: string, map: ReadonlyMap<string, number>) => void): void {
    for (const [id, i] of this.entries()) callback(i, id, this);
  }
}
