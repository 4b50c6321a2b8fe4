/**
 * PEM text <-> DER bytes, strict enough to tell "this is not a certificate" from
 * "this is a certificate", which is what a server refusing a corrupt file needs.
 */
import { InvalidError } from '../util/errors.ts';

/** Largest PEM text accepted (a certificate or key is a few KiB; this bounds a hostile input). */
export const MAX_PEM_BYTES = 64 * 1024;

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;
const BASE64_BODY = /^[A-Za-z0-9+/=\s]*$/;

/**
 * Returns the DER bytes of the one PEM block in `text`, which must be labelled
 * `label` (e.g. `CERTIFICATE`). Anything else (no block, several blocks, another
 * label, PEM headers such as an encrypted key's `Proc-Type`, bad base64) is an
 * `InvalidError` that names `source` (a file path or a description).
 */
export function decodePem(text: string, label: string, source: string): Uint8Array {
  if (text.length > MAX_PEM_BYTES) {
    throw new InvalidError(`${source}: PEM data is larger than ${MAX_PEM_BYTES} bytes`);
  }
  const blocks = [...text.matchAll(BLOCK)];
  if (blocks.length === 0) throw new InvalidError(`${source}: no PEM ${label} block found`);
  if (blocks.length > 1) {
    throw new InvalidError(`${source}: expected one PEM ${label} block, found ${blocks.length}`);
  }
  const [, begin, body, end] = blocks[0];
  if (begin !== label || end !== label) {
    throw new InvalidError(`${source}: expected a PEM ${label} block, found ${begin}`);
  }
  if (!BASE64_BODY.test(body)) {
    throw new InvalidError(`${source}: PEM ${label} block has headers or is not base64`);
  }
  const compact = body.replace(/\s+/g, '');
  const der = Buffer.from(compact, 'base64');
  // Buffer.from ignores characters it cannot decode; re-encoding catches truncation.
  if (der.length === 0 || der.toString('base64') !== compact) {
    throw new InvalidError(`${source}: PEM ${label} block is not valid base64`);
  }
  return new Uint8Array(der.buffer, der.byteOffset, der.length);
}

/** PEM text for `der` under `label`, 64 characters a line, ending in a newline. */
export function encodePem(der: ArrayBuffer | Uint8Array, label: string): string {
  const base64 = Buffer.from(der instanceof Uint8Array ? der : new Uint8Array(der)).toString(
    'base64',
  );
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
