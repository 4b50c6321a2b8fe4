/**
 * The edge side of joining: with nothing but a join token, get the cluster CA
 * without trusting anyone (the token pins its hash), then, with the CA trusted,
 * exchange the token and a CSR for a node certificate.
 *
 * Errors are `VergeError`s: `InvalidError` for what retrying will not fix (a
 * malformed token, a CA that does not match, a server certificate that does not
 * fit), `ForbiddenError` when the server refuses the token, `ConflictError` when
 * the name is held by another key, `UnavailableError` when the server cannot be
 * reached or asks to retry later (429, with `details.retryAfterSeconds`).
 */
import { X509Certificate } from 'node:crypto';
import { request } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import {
  ConflictError,
  ForbiddenError,
  InvalidError,
  NotFoundError,
  UnavailableError,
  type VergeError,
  errorMessage,
} from '../util/errors.ts';
import { certificateHash, parseCsr } from './certificates.ts';
import {
  JOIN_CA_PATH,
  JOIN_CERTIFICATE_PATH,
  type JoinRequest,
  type JoinResponse,
} from './join.ts';
import { parseJoinToken } from './tokens.ts';

export { type JoinToken, parseJoinToken } from './tokens.ts';
export type { JoinResponse } from './join.ts';

export interface JoinClientOptions {
  /** Give up on a request (connect, send, answer) after this long. Default 30,000 ms. */
  timeoutMs?: number;
}

/** Largest answer read from the server (a CA or a certificate is a few KiB). */
const MAX_RESPONSE_BYTES = 256 * 1024;
const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Downloads the CA from `GET <serverUrl>/join/v1/ca` without verifying the
 * server (nothing is trusted yet), and returns it only if the sha256 of its DER
 * is `expectedHash` (the token's), and it is a CA certificate. Safe against a
 * man in the middle: one cannot forge a CA with the pinned hash.
 */
export async function fetchVerifiedCa(
  serverUrl: string,
  expectedHash: string,
  options: JoinClientOptions = {},
): Promise<string> {
  const url = joinUrl(serverUrl, JOIN_CA_PATH);
  const expected = expectedHash.toLowerCase();
  // rejectUnauthorized: false is the point: the answer is checked by its hash.
  const answer = await send(url, { method: 'GET', rejectUnauthorized: false }, options);
  if (answer.status !== 200) throw refusalError(url, answer);
  let got: string;
  try {
    got = certificateHash(answer.body);
  } catch (err) {
    throw new InvalidError(`${url} did not answer with a PEM certificate: ${errorMessage(err)}`, {
      cause: err,
    });
  }
  if (got !== expected) {
    throw new InvalidError(
      `the server's CA does not match the token's hash (expected ${expected}, got ${got}): wrong server or a man in the middle`,
    );
  }
  if (!new X509Certificate(answer.body).ca) {
    throw new InvalidError(`${url}: the certificate with the token's hash is not a CA certificate`);
  }
  return answer.body;
}

/**
 * Sends `POST <serverUrl>/join/v1/certificate` over TLS verified against
 * `caPem` (from `fetchVerifiedCa`), and returns the node certificate, after
 * checking that it is issued by that CA for the CSR's key. Each call that
 * succeeds consumes one use of the token.
 */
export async function requestNodeCertificate(
  serverUrl: string,
  caPem: string,
  token: string,
  nodeName: string,
  csrPem: string,
  options: JoinClientOptions = {},
): Promise<JoinResponse> {
  parseJoinToken(token); // a malformed token fails here, before anything is sent
  const url = joinUrl(serverUrl, JOIN_CERTIFICATE_PATH);
  const body: JoinRequest = { token, nodeName, csr: csrPem };
  const answer = await send(
    url,
    { method: 'POST', ca: caPem, rejectUnauthorized: true, body: JSON.stringify(body) },
    options,
  );
  if (answer.status !== 200) throw refusalError(url, answer);
  let parsed: Partial<JoinResponse>;
  try {
    parsed = JSON.parse(answer.body) as Partial<JoinResponse>;
  } catch (err) {
    throw new InvalidError(`${url}: the answer is not JSON`, { cause: err });
  }
  if (typeof parsed?.certificate !== 'string' || typeof parsed.ca !== 'string') {
    throw new InvalidError(`${url}: the answer has no "certificate" and "ca"`);
  }
  checkIssued(parsed.certificate, caPem, url.href);
  const { publicKeySpkiDer } = await parseCsr(csrPem);
  const certKey = new X509Certificate(parsed.certificate).publicKey.export({
    type: 'spki',
    format: 'der',
  });
  if (!certKey.equals(publicKeySpkiDer)) {
    throw new InvalidError(`${url}: the certificate returned is not for the CSR's key`);
  }
  return { certificate: parsed.certificate, ca: parsed.ca };
}

function checkIssued(certPem: string, caPem: string, url: string): void {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch (err) {
    throw new InvalidError(`${url}: the certificate returned is not valid`, { cause: err });
  }
  const ca = new X509Certificate(caPem);
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) {
    throw new InvalidError(`${url}: the certificate returned is not signed by the cluster CA`);
  }
}

function joinUrl(serverUrl: string, path: string): URL {
  let base: URL;
  try {
    base = new URL(serverUrl);
  } catch (err) {
    throw new InvalidError(`server URL ${JSON.stringify(serverUrl)} is not a URL`, { cause: err });
  }
  if (base.protocol !== 'https:') {
    throw new InvalidError(`server URL ${JSON.stringify(serverUrl)} must start with https://`);
  }
  return new URL(path, base);
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** The server's refusal as one of Verge's errors, with its `Status` message. */
function refusalError(url: URL, answer: Answer): VergeError {
  let message = answer.body.slice(0, 500);
  let reason: string | undefined;
  try {
    const s = JSON.parse(answer.body) as { message?: unknown; reason?: unknown };
    if (typeof s.message === 'string') message = s.message;
    if (typeof s.reason === 'string') reason = s.reason;
  } catch {
    // not a Status: keep the text
  }
  const text = `join refused by ${url.origin} (${answer.status}${reason ? ` ${reason}` : ''}): ${message}`;
  const details = { ...(reason !== undefined && { reason }) };
  switch (answer.status) {
    case 400:
    case 413:
    case 422:
      return new InvalidError(text, details);
    case 401:
    case 403:
      return new ForbiddenError(text, details);
    case 404:
      return new NotFoundError(
        `${text} (is ${url.origin} the hub port of a verge server?)`,
        details,
      );
    case 409:
      return new ConflictError(text, details);
    default: {
      const retry = Number(answer.headers['retry-after']);
      return new UnavailableError(text, {
        ...details,
        ...(Number.isFinite(retry) && retry >= 0 && { retryAfterSeconds: retry }),
      });
    }
  }
}

/** One HTTPS request on its own connection (no pooling: an unverified connection is never reused). */
function send(
  url: URL,
  init: { method: string; ca?: string; rejectUnauthorized: boolean; body?: string },
  options: JoinClientOptions,
): Promise<Answer> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise<Answer>((resolve, reject) => {
    const body = init.body === undefined ? undefined : Buffer.from(init.body);
    const req = request(url, {
      method: init.method,
      agent: false,
      ca: init.ca,
      rejectUnauthorized: init.rejectUnauthorized,
      headers: {
        Accept: 'application/json, application/x-pem-file',
        ...(body && { 'Content-Type': 'application/json', 'Content-Length': body.length }),
      },
    });
    const timer = setTimeout(() => {
      req.destroy(
        new UnavailableError(`${url.origin}: no answer within ${timeoutMs} ms`, {
          reason: 'Timeout',
        }),
      );
    }, timeoutMs);
    const fail = (err: unknown) => {
      clearTimeout(timer);
      reject(connectionError(url, err));
    };
    req.once('error', fail);
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) {
          res.destroy(new InvalidError(`${url}: answer larger than ${MAX_RESPONSE_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.once('error', fail);
      res.once('end', () => {
        clearTimeout(timer);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
      });
    });
    req.end(body);
  });
}

/** A socket or TLS error, said in terms of what the user can do about it. */
function connectionError(url: URL, err: unknown): Error {
  if (err instanceof InvalidError || err instanceof UnavailableError) return err;
  const code = (err as { code?: string }).code ?? '';
  const detail = errorMessage(err);
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new InvalidError(
      `the server's certificate is not valid for ${url.hostname} (${detail}); ` +
        `add it to the server's certificate with verge server --tls-san ${url.hostname}`,
      { cause: err },
    );
  }
  if (/CERT|SIGNATURE|ISSUER|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/.test(code)) {
    return new InvalidError(
      `the server's certificate is not issued by the cluster CA (${code}: ${detail}): wrong server or a man in the middle`,
      { cause: err },
    );
  }
  return new UnavailableError(`cannot reach ${url.origin}: ${detail}`, { cause: err });
}
