/**
 * Byte-level pieces of the run codec: a growing writer and a bounds-checked reader of LEB128 varints, raw bytes
 * and little-endian float columns. The reader never reads past its end: it throws `RunDecodeError('truncated')`.
 */

/** Why a stored or exported run could not be read. The only error the readers throw. */
export class RunDecodeError extends Error {
  override readonly name = 'RunDecodeError';
  constructor(
    /** `foreign`: not a run file; `newer`: written by a newer version; `corrupt`/`truncated`: damaged. */
    readonly reason: 'foreign' | 'newer' | 'corrupt' | 'truncated',
    message: string,
  ) {
    super(message);
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export class ByteWriter {
  private buffer = new Uint8Array(1 << 16);
  length = 0;

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < this.length + extra) capacity *= 2;
    const bigger = new Uint8Array(capacity);
    bigger.set(this.buffer.subarray(0, this.length));
    this.buffer = bigger;
  }

  byte(value: number): void {
    this.reserve(1);
    this.buffer[this.length++] = value;
  }

  /** Unsigned LEB128, for values up to 2^53. */
  varint(value: number): void {
    this.reserve(8);
    let rest = value;
    while (rest >= 0x80) {
      this.buffer[this.length++] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    this.buffer[this.length++] = rest;
  }

  bytes(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** Non-negative int32 values as varints, in one tight loop (the alternatives' string ids: 2M for a long run). */
  varints(values: Int32Array): void {
    this.reserve(values.length * 5);
    const out = this.buffer;
    let at = this.length;
    for (let i = 0; i < values.length; i++) {
      let value = values[i]! >>> 0;
      while (value >= 0x80) {
        out[at++] = (value & 0x7f) | 0x80;
        value >>>= 7;
      }
      out[at++] = value;
    }
    this.length = at;
  }

  /** A float column as its little-endian bytes: read back with one copy. */
  floats(values: Float32Array | Float64Array): void {
    this.bytes(littleEndianBytes(values));
  }

  result(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }
}

export class ByteReader {
  at = 0;

  constructor(private readonly data: Uint8Array) {}

  get remaining(): number {
    return this.data.length - this.at;
  }

  byte(): number {
    if (this.at >= this.data.length) throw truncated();
    return this.data[this.at++]!;
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = this.byte();
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
      if (scale > 2 ** 49) throw new RunDecodeError('corrupt', 'A number in the run file is too long.');
    }
  }

  /** A count that the rest of the data must be able to hold at `minBytesEach`: refuses absurd allocations. */
  count(minBytesEach: number): number {
    const value = this.varint();
    if (value * minBytesEach > this.remaining) throw new RunDecodeError('corrupt', 'A count in the run file exceeds its size.');
    return value;
  }

  bytes(length: number): Uint8Array {
    if (length > this.remaining) throw truncated();
    const slice = this.data.subarray(this.at, this.at + length);
    this.at += length;
    return slice;
  }

  /**
   * `n` varints below `limit` (at most 2^31) into an Int32Array, unrolled: 2M of them is the largest part of
   * reading a long run. Reading past the end yields `undefined`, which ends a varint (`undefined >= 0x80` is
   * false), so the bound is checked once, after the loop.
   */
  varints(n: number, limit: number): Int32Array {
    const values = new Int32Array(n);
    const data = this.data;
    let at = this.at;
    let bad = false;
    for (let i = 0; i < n; i++) {
      let byte = data[at++]!;
      if (byte < 0x80) {
        values[i] = byte;
        continue;
      }
      let value = byte & 0x7f;
      byte = data[at++]!;
      value |= (byte & 0x7f) << 7;
      if (byte >= 0x80) {
        byte = data[at++]!;
        value |= (byte & 0x7f) << 14;
        if (byte >= 0x80) {
          byte = data[at++]!;
          value |= (byte & 0x7f) << 21;
          if (byte >= 0x80) {
            byte = data[at++]!;
            value |= (byte & 0x0f) << 28;
            bad ||= byte >= 0x10;
          }
        }
      }
      bad ||= value < 0 || value >= limit;
      values[i] = value;
    }
    if (at > data.length) throw truncated();
    if (bad) throw new RunDecodeError('corrupt', 'A number in the run file is out of range.');
    this.at = at;
    return values;
  }

  floats32(n: number): Float32Array {
    const values = new Float32Array(n);
    this.copyFloats(values);
    return values;
  }

  floats64(n: number): Float64Array {
    const values = new Float64Array(n);
    this.copyFloats(values);
    return values;
  }

  private copyFloats(values: Float32Array | Float64Array): void {
    const view = new Uint8Array(values.buffer);
    view.set(this.bytes(view.length));
    if (!LITTLE_ENDIAN) swapBytes(view, values.BYTES_PER_ELEMENT);
  }
}

const truncated = (): RunDecodeError => new RunDecodeError('truncated', 'The run file ends early.');

/** The bytes of a float column in little-endian order (a view on little-endian machines, every one VS Code runs on). */
function littleEndianBytes(values: Float32Array | Float64Array): Uint8Array {
  const view = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (LITTLE_ENDIAN) return view;
  const copy = view.slice();
  swapBytes(copy, values.BYTES_PER_ELEMENT);
  return copy;
}

function swapBytes(bytes: Uint8Array, width: number): void {
  for (let i = 0; i < bytes.length; i += width) bytes.subarray(i, i + width).reverse();
}
