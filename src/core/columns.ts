/** A typed array that grows by doubling: the columnar store keeps ~200 B per token instead of ~3 KB of objects. */
export class GrowableColumn<T extends Int32Array | Float32Array | Float64Array | Uint8Array> {
  private data: T;
  length = 0;

  constructor(private readonly make: (capacity: number) => T, capacity = 64) {
    this.data = make(capacity);
  }

  push(value: number): number {
    if (this.length === this.data.length) {
      const bigger = this.make(this.data.length * 2);
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
export const float32Column = (): GrowableColumn<Float32Array> => new GrowableColumn((n) => new Float32Array(n));
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
}
