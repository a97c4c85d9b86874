/** A typed array that grows by doubling: the columnar store keeps ~200 B per token instead of ~3 KB of objects. */
export class GrowableColumn<T extends Int32Array | Float32Array | Float64Array | Uint8Array> {
  private data: T;
  length = 0;

  constructor(private readonly make: (capacity: number) => T, capacity = 64) {
    this.data = make(capacity);
  }

  /** A column holding `values`, adopted without copying (restoring a recorded run). */
  static of<T extends Int32Array | Float32Array | Float64Array | Uint8Array>(values: T, make: (capacity: number) => T): GrowableColumn<T> {
    const column = new GrowableColumn(make, 0);
    column.data = values;
    column.length = values.length;
    return column;
  }

  /** The values, as a copy of exactly `length` entries. */
  toArray(): T {
    return this.data.slice(0, this.length) as T;
  }

  push(value: number): number {
    if (this.length === this.data.length) {
      const bigger = this.make(Math.max(64, this.data.length * 2));
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length] = value;
    return this.length++;
  }

  get(index: number): number {
    return this.data[index]!;
  }

  set(index: number, value: number): void {
    this.data[index] = value;
  }

  /** Direct access for hot loops; valid up to `length`, and only until the next `push`. */
  get raw(): T {
    return this.data;
  }
}

export const int32Column = (): GrowableColumn<Int32Array> => new GrowableColumn((n) => new Int32Array(n));
export const float64Column = (): GrowableColumn<Float64Array> => new GrowableColumn((n) => new Float64Array(n));
export const uint8Column = (): GrowableColumn<Uint8Array> => new GrowableColumn((n) => new Uint8Array(n));

/** Interns strings so that repeated alternative tokens (" the", ",") are stored once. */
export class StringTable {
  private readonly ids = new Map<string, number>();
  private readonly strings: string[] = [];

  intern(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(value);
      this.ids.set(value, id);
    }
    return id;
  }

  lookup(id: number): string {
    return this.strings[id]!;
  }

  /** Every string, by id. */
  get all(): readonly string[] {
    return this.strings;
  }

  /** A table holding `strings` at their positions as ids (which must be distinct). */
  static of(strings: readonly string[]): StringTable {
    const table = new StringTable();
    for (const value of strings) table.intern(value);
    return table;
  }
}

const CHUNK_BITS = 16;
const CHUNK_SIZE = 1 << CHUNK_BITS;

/**
 * A column in fixed-size chunks, for the alternatives (20 per token, most of the memory): growing never copies
 * and never leaves a doubled buffer half empty, so the slack is at most one chunk.
 */
export class ChunkedColumn<T extends Int32Array | Float32Array> {
  private readonly chunks: T[] = [];
  length = 0;

  constructor(private readonly make: (capacity: number) => T) {}

  push(value: number): number {
    const offset = this.length & (CHUNK_SIZE - 1);
    if (offset === 0) this.chunks.push(this.make(this.chunks.length === 0 ? 256 : CHUNK_SIZE));
    let chunk = this.chunks[this.chunks.length - 1]!;
    if (offset >= chunk.length) {
      // The first chunk starts small so that short answers stay small; it grows to a full chunk once.
      const bigger = this.make(CHUNK_SIZE);
      bigger.set(chunk);
      this.chunks[this.chunks.length - 1] = bigger;
      chunk = bigger;
    }
    chunk[offset] = value;
    return this.length++;
  }

  get(index: number): number {
    return this.chunks[index >>> CHUNK_BITS]![index & (CHUNK_SIZE - 1)]!;
  }

  /** A column holding `values`, its chunks views of them (no copy; restoring a recorded run). */
  static of<T extends Int32Array | Float32Array>(values: T, make: (capacity: number) => T): ChunkedColumn<T> {
    const column = new ChunkedColumn(make);
    for (let at = 0; at < values.length; at += CHUNK_SIZE) column.chunks.push(values.subarray(at, at + CHUNK_SIZE) as T);
    column.length = values.length;
    // The last view may be shorter than a chunk: the next push grows it into a full chunk of its own.
    return column;
  }

  /** The values, copied into one array. */
  toArray(): T {
    const out = this.make(this.length);
    let at = 0;
    for (const chunk of this.chunks) {
      const part = chunk.subarray(0, Math.min(chunk.length, this.length - at));
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
}
