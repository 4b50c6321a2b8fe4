/**
 * A minimal protobuf reader for tests: it splits a message into its fields by
 * wire type and knows nothing of gnostic's messages, so tests name field
 * numbers themselves (from OpenAPIv2.proto) and a wrong number in the encoder
 * shows up as a missing field. Malformed input throws. Test-only: nothing
 * outside *.test.ts imports it.
 */

export interface WireField {
  field: number;
  wire: number;
  /** Varint (wire 0) as bigint, fixed64 (1) as its 8 bytes, length-delimited (2) as its bytes. */
  value: bigint | Uint8Array;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export class Message {
  readonly fields: WireField[] = [];
  readonly bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    let at = 0;
    const varint = (): bigint => {
      let v = 0n;
      for (let shift = 0n; ; shift += 7n) {
        if (at >= bytes.length) throw new Error(`truncated varint at ${at}`);
        if (shift > 63n) throw new Error(`varint too long at ${at}`);
        const b = bytes[at++];
        v |= BigInt(b & 0x7f) << shift;
        if ((b & 0x80) === 0) return v;
      }
    };
    while (at < bytes.length) {
      const key = Number(varint());
      const field = key >>> 3;
      const wire = key & 7;
      if (field === 0) throw new Error(`field number 0 at ${at}`);
      if (wire === 0) this.fields.push({ field, wire, value: varint() });
      else if (wire === 1) {
        if (at + 8 > bytes.length) throw new Error(`truncated fixed64 at ${at}`);
        this.fields.push({ field, wire, value: bytes.subarray(at, at + 8) });
        at += 8;
      } else if (wire === 2) {
        const len = Number(varint());
        if (at + len > bytes.length) throw new Error(`truncated field ${field} at ${at}`);
        this.fields.push({ field, wire, value: bytes.subarray(at, at + len) });
        at += len;
      } else throw new Error(`unexpected wire type ${wire} for field ${field}`);
    }
  }

  /** Field numbers present, in order of first appearance. */
  numbers(): number[] {
    return [...new Set(this.fields.map((f) => f.field))];
  }

  all(field: number, wire?: number): WireField[] {
    const out = this.fields.filter((f) => f.field === field);
    for (const f of out) {
      if (wire !== undefined && f.wire !== wire) {
        throw new Error(`field ${field}: wire type ${f.wire}, want ${wire}`);
      }
    }
    return out;
  }

  #last(field: number, wire: number): WireField | undefined {
    return this.all(field, wire).at(-1);
  }

  str(field: number): string | undefined {
    const f = this.#last(field, 2);
    return f && utf8.decode(f.value as Uint8Array);
  }

  strs(field: number): string[] {
    return this.all(field, 2).map((f) => utf8.decode(f.value as Uint8Array));
  }

  msg(field: number): Message | undefined {
    const f = this.#last(field, 2);
    return f && new Message(f.value as Uint8Array);
  }

  /** The sub-message at `field`, failing if absent. */
  need(field: number): Message {
    const m = this.msg(field);
    if (!m) throw new Error(`field ${field} absent (fields present: ${this.numbers().join(',')})`);
    return m;
  }

  msgs(field: number): Message[] {
    return this.all(field, 2).map((f) => new Message(f.value as Uint8Array));
  }

  varint(field: number): bigint | undefined {
    return this.#last(field, 0)?.value as bigint | undefined;
  }

  double(field: number): number | undefined {
    const f = this.#last(field, 1);
    if (!f) return undefined;
    const b = f.value as Uint8Array;
    return new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, true);
  }

  /** A repeated `Named*` field (name = 1, value = 2) as [name, value message] pairs in order. */
  named(field: number): [string, Message][] {
    return this.msgs(field).map((pair) => [pair.str(1) ?? '', pair.need(2)]);
  }

  /** A repeated `NamedAny` field as name -> the `yaml` text (field 2) of its `Any`. */
  extensions(field: number): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, any] of this.named(field)) out[name] = any.str(2) ?? '';
    return out;
  }
}
