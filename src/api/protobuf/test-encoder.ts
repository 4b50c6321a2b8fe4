/**
 * A minimal protobuf writer for tests: each helper returns the bytes of one
 * field (tag and value), and `msg` nests fields into a length-delimited field.
 * It knows nothing of Kubernetes types, so tests state field numbers
 * explicitly and can also write what a decoder must reject (wrong wire types,
 * truncations). Test-only: nothing outside *.test.ts imports it.
 */

export type Part = Uint8Array;

/** Wire types. */
export const VARINT = 0;
export const FIXED64 = 1;
export const LEN = 2;
export const START_GROUP = 3;
export const END_GROUP = 4;
export const FIXED32 = 5;

/** Varint bytes of `value`; negative numbers are written as 64-bit two's complement (10 bytes). */
export function varint(value: number | bigint): Uint8Array {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) b |= 0x80;
    out.push(b);
  } while (v !== 0n);
  return Uint8Array.from(out);
}

export function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function tag(num: number, wire: number): Uint8Array {
  return varint(num * 8 + wire);
}

/** A length-delimited field holding `data`. */
export function bytes(num: number, data: Uint8Array | number[]): Part {
  return concat(tag(num, LEN), varint(data.length), data);
}

export function str(num: number, s: string): Part {
  return bytes(num, new TextEncoder().encode(s));
}

/** A nested message field made of `fields`. */
export function msg(num: number, ...fields: Part[]): Part {
  return bytes(num, concat(...fields));
}

export function int(num: number, value: number | bigint): Part {
  return concat(tag(num, VARINT), varint(value));
}

export function bool(num: number, value: boolean): Part {
  return int(num, value ? 1 : 0);
}

export function double(num: number, value: number): Part {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, value, true);
  return concat(tag(num, FIXED64), b);
}

export function fixed32(num: number, value: number): Part {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, value, true);
  return concat(tag(num, FIXED32), b);
}

/** A packed repeated varint field. */
export function packed(num: number, values: (number | bigint)[]): Part {
  return bytes(num, concat(...values.map((v) => varint(v))));
}

/** One entry of a map field: `{key = 1, value = 2}`; `value` is the field-2 part (or omitted). */
export function entry(num: number, key: string | undefined, value?: Part): Part {
  const parts: Part[] = [];
  if (key !== undefined) parts.push(str(1, key));
  if (value !== undefined) parts.push(value);
  return msg(num, ...parts);
}

/** A map<string,string> field, one entry per key. */
export function stringMap(num: number, map: Record<string, string>): Part {
  return concat(...Object.entries(map).map(([k, v]) => entry(num, k, str(2, v))));
}

/** A Time / MicroTime message field. */
export function timestamp(num: number, seconds: number, nanos?: number): Part {
  return nanos === undefined ? msg(num, int(1, seconds)) : msg(num, int(1, seconds), int(2, nanos));
}

/** `k8s\0` + runtime.Unknown{typeMeta{apiVersion, kind}, raw, contentEncoding "", contentType ""}. */
export function envelope(apiVersion: string, kind: string, raw: Uint8Array): Uint8Array {
  return concat(
    [0x6b, 0x38, 0x73, 0x00],
    msg(1, str(1, apiVersion), str(2, kind)),
    bytes(2, raw),
    str(3, ''),
    str(4, ''),
  );
}
