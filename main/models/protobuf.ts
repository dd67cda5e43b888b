// Minimal protobuf wire-format writer and reader: enough for ONNX models (no schema compiler needed).

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/** Builds one protobuf message; nested messages are written into their own ProtoWriter first. */
export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private scratch: number[] = [];
  private length = 0;

  private flushScratch(): void {
    if (this.scratch.length === 0) return;
    const bytes = Uint8Array.from(this.scratch);
    this.chunks.push(bytes);
    this.length += bytes.length;
    this.scratch = [];
  }

  private varint(value: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.scratch.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.scratch.push(Number(v));
  }

  private tag(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  int(field: number, value: number | bigint): this {
    this.tag(field, 0);
    this.varint(value);
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.scratch.push(...b);
    return this;
  }

  bytes(field: number, data: Uint8Array): this {
    this.tag(field, 2);
    this.varint(data.length);
    this.flushScratch();
    this.chunks.push(data);
    this.length += data.length;
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, textEncoder.encode(value));
  }

  message(field: number, inner: ProtoWriter): this {
    return this.bytes(field, inner.finish());
  }

  packedInts(field: number, values: ArrayLike<number | bigint>): this {
    const inner = new ProtoWriter();
    for (let i = 0; i < values.length; i++) inner.varint(values[i]!);
    return this.bytes(field, inner.finish());
  }

  packedFloats(field: number, values: ArrayLike<number>): this {
    const data = new Uint8Array(values.length * 4);
    const view = new DataView(data.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
    return this.bytes(field, data);
  }

  /** Writes a decoded field back unchanged (copying messages field by field). */
  value(field: number, v: ProtoValue): this {
    if (v.wire === 0) return this.int(field, v.value);
    if (v.wire === 2) return this.bytes(field, v.bytes);
    this.tag(field, v.wire);
    this.scratch.push(...v.bytes);
    return this;
  }

  finish(): Uint8Array {
    this.flushScratch();
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const c of this.chunks) {
      out.set(c, offset);
      offset += c.length;
    }
    this.chunks = [out];
    return out;
  }
}

export class ProtoDecodeError extends Error {}

/** A decoded field: varints as bigint, fixed32/64 as raw bytes, length-delimited as a zero-copy view. */
export type ProtoValue = { wire: 0; value: bigint } | { wire: 1 | 5; bytes: Uint8Array } | { wire: 2; bytes: Uint8Array };

/** Decodes one message level into field number → values; throws ProtoDecodeError on truncated or malformed data. */
export function decodeMessage(buf: Uint8Array): Map<number, ProtoValue[]> {
  const fields = new Map<number, ProtoValue[]>();
  let pos = 0;
  const readVarint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= buf.length) throw new ProtoDecodeError(`varint runs past the end of the data at byte ${pos}`);
      const b = buf[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 70n) throw new ProtoDecodeError(`varint longer than 10 bytes at byte ${pos}`);
    }
  };
  while (pos < buf.length) {
    const key = readVarint();
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (field === 0) throw new ProtoDecodeError(`field number 0 at byte ${pos}`);
    let value: ProtoValue;
    if (wire === 0) value = { wire: 0, value: readVarint() };
    else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      if (pos + n > buf.length) throw new ProtoDecodeError(`fixed field ${field} runs past the end of the data`);
      value = { wire, bytes: buf.subarray(pos, pos + n) };
      pos += n;
    } else if (wire === 2) {
      const len = Number(readVarint());
      if (pos + len > buf.length) throw new ProtoDecodeError(`field ${field} declares ${len} bytes but only ${buf.length - pos} remain`);
      value = { wire: 2, bytes: buf.subarray(pos, pos + len) };
      pos += len;
    } else throw new ProtoDecodeError(`unsupported wire type ${wire} for field ${field} at byte ${pos}`);
    const list = fields.get(field);
    if (list) list.push(value);
    else fields.set(field, [value]);
  }
  return fields;
}

export function fieldBytes(fields: Map<number, ProtoValue[]>, field: number): Uint8Array[] {
  return (fields.get(field) ?? []).flatMap((v) => (v.wire === 2 ? [v.bytes] : []));
}

export function fieldString(fields: Map<number, ProtoValue[]>, field: number): string | undefined {
  const b = fieldBytes(fields, field)[0];
  return b === undefined ? undefined : textDecoder.decode(b);
}

export function fieldInt(fields: Map<number, ProtoValue[]>, field: number): bigint | undefined {
  const v = (fields.get(field) ?? []).find((x) => x.wire === 0);
  return v && v.wire === 0 ? v.value : undefined;
}
