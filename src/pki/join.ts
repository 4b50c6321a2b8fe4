/**
 * The server side of joining: the HTTPS endpoint through which an edge node with
 * a join token gets its first node certificate, and the renewal the hub performs
 * for a node that is already connected.
 *
 *   GET  /join/v1/ca           the cluster CA certificate (PEM); no auth: the
 *                              edge checks it against the hash in its token
 *   POST /join/v1/certificate  {"token", "nodeName", "csr"} -> {"certificate", "ca"}
 *
 * A join is authenticated by the token before anything costly (CSR signature
 * checks, signing) is done, and consumes a use of the token only when it
 * succeeds. Every refusal is a Kubernetes `Status` body and is logged with the
 * token id; the token's secret is never logged or echoed.
 */
import './reflect-metadata.ts'; // before @peculiar/x509, which needs it at load time
import * as x509 from '@peculiar/x509';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { status, statusFromError, type HttpStatus } from '../apiserver/status.ts';
import { realClock, type Clock } from '../util/clock.ts';
import {
  ConflictError,
  InvalidError,
  NotFoundError,
  UnavailableError,
  errorMessage,
} from '../util/errors.ts';
import type { Logger } from '../util/log.ts';
import { type CertificateAuthority, certificateHash, parseCsr, signCsr } from './certificates.ts';
import {
  type JoinToken,
  type TokenRejection,
  type TokenStore,
  isNodeName,
  parseJoinToken,
  spkiSha256,
} from './tokens.ts';

export const JOIN_CA_PATH = '/join/v1/ca';
export const JOIN_CERTIFICATE_PATH = '/join/v1/certificate';
/** Every path this handler serves starts with this; route it here. */
export const JOIN_PATH_PREFIX = '/join/';
export const NODE_USER_PREFIX = 'system:node:';
export const NODES_GROUP = 'system:nodes';

/** Body of `POST /join/v1/certificate`. */
export interface JoinRequest {
  /** `V1.<ca hash>.<id>.<secret>`. */
  token: string;
  /** The node name to join as (a DNS-1123 subdomain). */
  nodeName: string;
  /** PKCS#10 PEM with subject exactly `CN=system:node:<nodeName>, O=system:nodes`. */
  csr: string;
}

/** Answer to a successful join. */
export interface JoinResponse {
  /** The node's client certificate, PEM, signed by the cluster CA. */
  certificate: string;
  /** The cluster CA certificate, PEM. */
  ca: string;
}

export interface JoinServiceOptions {
  tokens: TokenStore;
  ca: CertificateAuthority;
  /**
   * Whether a Node object of that name exists. Consulted only when a join asks
   * for a name bound to another key: the name is then refused while the Node
   * exists. A rejection makes the join fail with 503.
   */
  nodeExists: (name: string) => Promise<boolean>;
  logger: Logger;
  /** Lifetime of issued node certificates. Default 365 days. */
  certificateValidityDays?: number;
  /** Sustained rate of join attempts (POSTs) allowed; more are answered 429. Default 10/s. */
  joinsPerSecond?: number;
  /** Join attempts allowed at once before the rate applies. Default 20. */
  joinBurst?: number;
  /** Largest request body accepted; larger ones are answered 413. Default 64 KiB. */
  maxBodyBytes?: number;
  /** Time for the rate limiter and certificate validity. Default the real clock. */
  clock?: Pick<Clock, 'now'>;
}

export interface JoinService {
  /**
   * Request listener for node:https `createServer` (or to call for paths under
   * `JOIN_PATH_PREFIX`). Answers every request itself, never throws; other paths
   * get 404.
   */
  readonly handle: (req: IncomingMessage, res: ServerResponse) => void;
  /**
   * Issues a new certificate for a node whose connection is already
   * authenticated as `nodeName` (the caller's job), and binds the name to the
   * CSR's key, which may be new. `InvalidError` if the CSR is not valid or not
   * exactly `CN=system:node:<nodeName>, O=system:nodes`.
   */
  renewNodeCertificate(nodeName: string, csrPem: string): Promise<string>;
}

const DEFAULT_MAX_BODY = 64 * 1024;

/** Why a join was not authorized: a 401 or 403, with what the log needs. */
class Refusal extends Error {
  readonly httpCode: 401 | 403;
  readonly reason: string;
  constructor(message: string, rejection: TokenRejection | 'malformed' | 'other-cluster') {
    super(message);
    this.reason = rejection;
    this.httpCode = rejection === 'other-node' ? 403 : 401;
  }
}

/** Shorthand: a join service's request handler. */
export function createJoinHandler(
  options: JoinServiceOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  return createJoinService(options).handle;
}

export function createJoinService(options: JoinServiceOptions): JoinService {
  const { tokens, ca, nodeExists } = options;
  const logger = options.logger.child({ component: 'join' });
  const clock = options.clock ?? realClock;
  const validityDays = options.certificateValidityDays ?? 365;
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const caHash = certificateHash(ca.certPem);
  const bucket = new TokenBucket(options.joinsPerSecond ?? 10, options.joinBurst ?? 20, clock);

  /** Signs a CSR already checked by `checkNodeCsr` as a node client certificate. */
  function issue(nodeName: string, csrPem: string): Promise<string> {
    return signCsr(ca, csrPem, {
      commonName: NODE_USER_PREFIX + nodeName,
      organizations: [NODES_GROUP],
      usage: 'client',
      validityDays,
      now: new Date(clock.now()),
    });
  }

  /** The join itself; throws `Refusal` or a `VergeError`. `log` collects context for the log line. */
  async function join(body: unknown, log: Record<string, unknown>): Promise<JoinResponse> {
    const request = checkRequestShape(body);
    let token: JoinToken;
    try {
      token = parseJoinToken(request.token);
    } catch (err) {
      throw new Refusal(errorMessage(err), 'malformed');
    }
    log.tokenId = token.id;
    if (token.caHash !== caHash) {
      throw new Refusal(
        `token ${token.id} was made for another cluster: it pins CA ${token.caHash}, this server's CA is ${caHash}`,
        'other-cluster',
      );
    }
    const nodeName = request.nodeName;
    if (!isNodeName(nodeName)) {
      throw new InvalidError(
        `nodeName: ${JSON.stringify(nodeName.slice(0, 300))} is not a valid node name (a lowercase DNS-1123 subdomain of at most 253 characters)`,
      );
    }
    log.node = nodeName;
    const checked = tokens.check(token, nodeName);
    if (!checked.ok) throw new Refusal(checked.message, checked.rejection);

    // Authenticated: now the costlier checks.
    const csr = await checkNodeCsr(request.csr, nodeName);
    const bound = tokens.nodeKey(nodeName);
    if (bound !== undefined && bound !== csr.spki) {
      let exists: boolean;
      try {
        exists = await nodeExists(nodeName);
      } catch (err) {
        throw new UnavailableError(
          `cannot tell whether node "${nodeName}" exists: ${errorMessage(err)}`,
          { cause: err },
        );
      }
      if (exists) {
        throw new ConflictError(
          `node "${nodeName}" is already joined with another key; delete the Node first (kubectl delete node ${nodeName}) to re-join`,
          { name: nodeName, kind: 'Node' },
        );
      }
    }
    const pem = await issue(nodeName, request.csr);
    const committed = tokens.commitJoin({
      token,
      nodeName,
      spkiSha256: csr.spki,
      expectedBinding: bound,
    });
    if (!committed.ok) {
      if (committed.rejection === 'binding-changed') {
        throw new ConflictError(committed.message, { name: nodeName, kind: 'Node' });
      }
      throw new Refusal(committed.message, committed.rejection);
    }
    log.key = csr.spki;
    log.rekeyed = bound !== undefined && bound !== csr.spki;
    return { certificate: pem, ca: ca.certPem };
  }

  async function serveJoin(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const log: Record<string, unknown> = { remote: req.socket.remoteAddress };
    try {
      if (!bucket.take()) {
        throw new UnavailableError('too many join attempts; retry later', {
          reason: 'TooManyRequests',
          retryAfterSeconds: 1,
        });
      }
      const text = await readBody(req, maxBody);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (err) {
        throw new InvalidError(`request body is not valid JSON: ${errorMessage(err)}`, {
          cause: err,
        });
      }
      const answer = await join(body, log);
      sendJson(res, 200, answer);
      logger.info(log, 'node joined');
    } catch (err) {
      const answer = httpStatusOf(err);
      if (answer.code >= 500 && !(err instanceof UnavailableError)) {
        logger.error({ ...log, err }, 'join failed');
      } else {
        logger.warn(
          {
            ...log,
            code: answer.code,
            reason: err instanceof Refusal ? err.reason : answer.status.reason,
          },
          `join refused: ${answer.status.message}`,
        );
      }
      sendStatus(res, answer);
    }
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    // The request target is the client's text; one URL cannot parse is a 404, not a crash.
    const path = URL.parse(req.url ?? '/', 'https://join.invalid')?.pathname ?? '(unparsable)';
    if (path === JOIN_CERTIFICATE_PATH && req.method === 'POST') {
      void serveJoin(req, res);
      return;
    }
    let answer: HttpStatus;
    let allow: string | undefined;
    if (path === JOIN_CA_PATH && (req.method === 'GET' || req.method === 'HEAD')) {
      const body = Buffer.from(ca.certPem);
      res.writeHead(200, {
        'Content-Type': 'application/x-pem-file',
        'Content-Length': String(body.length),
        'Cache-Control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    } else if (path === JOIN_CA_PATH || path === JOIN_CERTIFICATE_PATH) {
      allow = path === JOIN_CA_PATH ? 'GET, HEAD' : 'POST';
      answer = httpStatusOf(
        new InvalidError(`${req.method} is not allowed on ${path} (allowed: ${allow})`, {
          reason: 'MethodNotAllowed',
        }),
      );
    } else {
      answer = httpStatusOf(new NotFoundError(`no join endpoint at ${path}`));
    }
    logger.debug(
      { remote: req.socket.remoteAddress, method: req.method, path },
      answer.status.message,
    );
    if (allow !== undefined) res.setHeader('Allow', allow);
    sendStatus(res, answer);
  }

  return {
    handle,
    async renewNodeCertificate(nodeName, csrPem) {
      if (!isNodeName(nodeName)) {
        throw new InvalidError(`${JSON.stringify(nodeName)} is not a valid node name`);
      }
      const { spki } = await checkNodeCsr(csrPem, nodeName);
      const pem = await issue(nodeName, csrPem);
      tokens.setNodeKey(nodeName, spki);
      logger.info({ node: nodeName, key: spki }, 'node certificate renewed');
      return pem;
    },
  };
}

/**
 * Verifies a node's CSR: a valid self-signature and a subject of exactly
 * `CN=system:node:<nodeName>, O=system:nodes` (no other attributes). Returns the
 * sha256 of its SPKI.
 */
async function checkNodeCsr(csrPem: string, nodeName: string): Promise<{ spki: string }> {
  const wanted = `CN=${NODE_USER_PREFIX}${nodeName}, O=${NODES_GROUP}`;
  const csr = await parseCsr(csrPem);
  const attributes = new x509.Pkcs10CertificateRequest(csrPem).subjectName
    .toJSON()
    .flatMap((rdn) => Object.entries(rdn).flatMap(([type, values]) => values.map(() => type)));
  const exact =
    csr.commonName === NODE_USER_PREFIX + nodeName &&
    csr.organizations.length === 1 &&
    csr.organizations[0] === NODES_GROUP &&
    attributes.length === 2;
  if (!exact) {
    throw new InvalidError(
      `CSR: subject must be exactly ${wanted}, got CN=${csr.commonName}` +
        (csr.organizations.length > 0 ? `, O=${csr.organizations.join(', O=')}` : '') +
        (attributes.length > 1 + csr.organizations.length ? ' and other attributes' : ''),
    );
  }
  return { spki: spkiSha256(csr.publicKeySpkiDer) };
}

function checkRequestShape(body: unknown): JoinRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidError('request body must be a JSON object {"token", "nodeName", "csr"}');
  }
  const b = body as Record<string, unknown>;
  const missing = (['token', 'nodeName', 'csr'] as const).filter((k) => typeof b[k] !== 'string');
  if (missing.length > 0) {
    throw new InvalidError(`request body: ${missing.join(', ')} must be string(s)`);
  }
  return { token: b.token as string, nodeName: b.nodeName as string, csr: b.csr as string };
}

/** The body as UTF-8 text; `InvalidError` (413) once it passes `limit` bytes. */
function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const tooLarge = () =>
    new InvalidError(`request body is larger than ${limit} bytes`, {
      reason: 'RequestEntityTooLarge',
    });
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.pause();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
    // A client that goes away mid-body: settle, so nothing waits forever.
    req.once('close', () => {
      if (!req.complete) reject(new InvalidError('request body ended before it was complete'));
    });
  });
}

/** The HTTP answer for a refusal or error: 401 for tokens, else as the API server maps errors. */
function httpStatusOf(err: unknown): HttpStatus {
  if (err instanceof Refusal) {
    const reason = err.httpCode === 401 ? 'Unauthorized' : 'Forbidden';
    return { code: err.httpCode, status: status(err.httpCode, reason, err.message) };
  }
  return statusFromError(err);
}

function sendStatus(res: ServerResponse, answer: HttpStatus): void {
  const retry = answer.status.details?.retryAfterSeconds;
  if (retry !== undefined && !res.headersSent) res.setHeader('Retry-After', String(retry));
  sendJson(res, answer.code, answer.status);
}

/**
 * Sends a JSON answer. When the request body was not read to its end (a refusal
 * before or while reading it), the connection is closed after the answer rather
 * than left to read what the client still sends.
 */
function sendJson(res: ServerResponse, code: number, body: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = Buffer.from(JSON.stringify(body));
  const unread = !res.req.complete;
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': String(text.length),
    'Cache-Control': 'no-store',
    ...(unread && { Connection: 'close' }),
  });
  if (unread) {
    const socket = res.req.socket;
    res.end(text, () => socket.destroy());
  } else {
    res.end(text);
  }
}

/** Allows `burst` events at once and `rate` per second sustained. */
class TokenBucket {
  readonly #rate: number;
  readonly #burst: number;
  readonly #clock: Pick<Clock, 'now'>;
  #tokens: number;
  #at: number;

  constructor(rate: number, burst: number, clock: Pick<Clock, 'now'>) {
    if (!(rate > 0) || !(burst >= 1)) {
      throw new InvalidError(
        `join rate limit: rate must be > 0 and burst >= 1 (got ${rate}, ${burst})`,
      );
    }
    this.#rate = rate;
    this.#burst = burst;
    this.#clock = clock;
    this.#tokens = burst;
    this.#at = clock.now();
  }

  take(): boolean {
    const now = this.#clock.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#at) / 1000) * this.#rate);
    this.#at = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
