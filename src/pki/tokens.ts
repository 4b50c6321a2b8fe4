/**
 * Join tokens and node key bindings, kept in `<data dir>/pki/tokens.db`.
 *
 * A join token is `V1.<sha256 of the CA certificate DER, hex>.<id>.<secret>`, as
 * kubeadm's bootstrap tokens with the CA pin in front: the id (6 characters of
 * [a-z0-9]) names the token in lists, logs and errors; the secret (16 characters,
 * about 82 bits) proves it and is stored only as its SHA-256. A token expires,
 * may be bound to one node name and may have a number of uses (default:
 * unlimited until it expires). Deleting a token revokes it: its row stays, marked
 * revoked, until it would have expired, so that a join with it is told "revoked"
 * rather than "unknown".
 *
 * A node key binding records which public key (SHA-256 of its SPKI DER) holds a
 * node name, so that a second machine cannot take over a joined node's name with
 * a fresh token.
 *
 * The file is shared between processes (`verge server` serving joins, `verge
 * token create` run beside it), so it uses WAL, normal (shared) locking and a
 * busy timeout; every change is one `BEGIN IMMEDIATE` transaction. All SQL text
 * lives in this file, and SQLite errors leave it as `VergeError`s.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, existsSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { sqliteError } from '../util/sqlite.ts';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { InvalidError, NotFoundError, UnavailableError } from '../util/errors.ts';

/** The parts of a join token. `secret` is a credential: never log or echo it. */
export interface JoinToken {
  /** sha256 of the cluster CA certificate's DER, lowercase hex. */
  caHash: string;
  id: string;
  secret: string;
}

/** What `list` shows of a token: everything but its secret. */
export interface TokenInfo {
  id: string;
  /** The one node name it may join as; undefined: any name. */
  node?: string;
  /** Uses left; undefined: unlimited until it expires. */
  usesLeft?: number;
  expires: Date;
  created: Date;
  description: string;
}

export interface CreateTokenOptions {
  /** sha256 of the CA certificate DER (`certificateHash(ca.crt)`), put in front of the token. */
  caHash: string;
  /** Bind the token to this node name (a DNS-1123 subdomain). Default: any name. */
  node?: string;
  /** Lifetime in milliseconds. Default 24 hours. */
  ttlMs?: number;
  /** How many joins it allows. Default: unlimited until it expires. */
  uses?: number;
  /** Free text shown by `list` (at most 256 characters, no control characters). Default ''. */
  description?: string;
}

export interface CreatedToken {
  /** The whole token, `V1.<ca hash>.<id>.<secret>`: shown once, stored only hashed. */
  token: string;
  info: TokenInfo;
}

/** Why a token was not accepted. */
export type TokenRejection =
  | 'unknown' // no token with that id (never made, or removed after expiry)
  | 'wrong-secret'
  | 'expired'
  | 'revoked'
  | 'used-up'
  | 'other-node'; // bound to another node name

export type TokenCheck =
  { ok: true; info: TokenInfo } | { ok: false; rejection: TokenRejection; message: string };

export interface CommitJoinOptions {
  token: JoinToken;
  nodeName: string;
  /** sha256 of the new certificate's SPKI DER, hex. */
  spkiSha256: string;
  /**
   * The key binding of `nodeName` the caller saw when it decided the join may go
   * on (undefined: none). If another join changed it since, the commit fails
   * with `binding-changed` instead of overwriting it.
   */
  expectedBinding: string | undefined;
}

export type CommitJoinResult =
  TokenCheck | { ok: false; rejection: 'binding-changed'; message: string };

export interface TokenStoreOptions {
  /** The database file; created (mode 0600) when missing. */
  path: string;
  /** How long to wait for another process's write lock. Default 5,000 ms. */
  busyTimeoutMs?: number;
  /** Milliseconds since the epoch. Default `Date.now`. */
  now?: () => number;
}

export const TOKEN_VERSION = 'V1';
export const DEFAULT_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;
/** A revoked or expired token's row is removed this long after it expired. */
const KEEP_AFTER_EXPIRY_MS = 24 * 60 * 60 * 1000;
const MAX_DESCRIPTION = 256;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const ID_LENGTH = 6;
const SECRET_LENGTH = 16;
const ID_PATTERN = /^[a-z0-9]{6}$/;
const SECRET_PATTERN = /^[a-z0-9]{16}$/;
const HASH_PATTERN = /^[0-9a-f]{64}$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** "VRGT": marks the file as Verge's token database (PRAGMA application_id). */
const APPLICATION_ID = 0x56524754;
const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE tokens (
  id            TEXT PRIMARY KEY,
  secret_sha256 TEXT NOT NULL,
  node          TEXT,
  uses_left     INTEGER,
  expires_ms    INTEGER NOT NULL,
  created_ms    INTEGER NOT NULL,
  revoked_ms    INTEGER,
  description   TEXT NOT NULL
) STRICT;
CREATE TABLE node_keys (
  node        TEXT PRIMARY KEY,
  spki_sha256 TEXT NOT NULL,
  updated_ms  INTEGER NOT NULL
) STRICT;
`;

const SQL = {
  insert: `INSERT INTO tokens (id, secret_sha256, node, uses_left, expires_ms, created_ms, revoked_ms, description)
           VALUES (?, ?, ?, ?, ?, ?, NULL, ?)`,
  get: `SELECT id, secret_sha256, node, uses_left, expires_ms, created_ms, revoked_ms, description
        FROM tokens WHERE id = ?`,
  list: `SELECT id, secret_sha256, node, uses_left, expires_ms, created_ms, revoked_ms, description
         FROM tokens WHERE revoked_ms IS NULL ORDER BY created_ms, id`,
  revoke: `UPDATE tokens SET revoked_ms = ? WHERE id = ? AND revoked_ms IS NULL`,
  useOne: `UPDATE tokens SET uses_left = uses_left - 1 WHERE id = ? AND uses_left > 0`,
  prune: `DELETE FROM tokens WHERE expires_ms < ?`,
  getKey: `SELECT spki_sha256 FROM node_keys WHERE node = ?`,
  putKey: `INSERT INTO node_keys (node, spki_sha256, updated_ms) VALUES (?, ?, ?)
           ON CONFLICT (node) DO UPDATE SET spki_sha256 = excluded.spki_sha256, updated_ms = excluded.updated_ms`,
  deleteKey: `DELETE FROM node_keys WHERE node = ?`,
} as const;

type Statements = { [K in keyof typeof SQL]: StatementSync };

interface TokenRow {
  id: string;
  secret_sha256: string;
  node: string | null;
  uses_left: number | null;
  expires_ms: number;
  created_ms: number;
  revoked_ms: number | null;
  description: string;
}

/** `<dataDir>/pki/tokens.db`. */
export function tokenStorePath(dataDir: string): string {
  return join(dataDir, 'pki', 'tokens.db');
}

/**
 * Parses a join token. `InvalidError` saying what is wrong with it; the message
 * never contains the token or any part of its secret.
 */
export function parseJoinToken(token: unknown): JoinToken {
  const expected = `expected ${TOKEN_VERSION}.<sha256 of the CA, 64 hex digits>.<id, 6 of [a-z0-9]>.<secret, 16 of [a-z0-9]>`;
  if (typeof token !== 'string' || token === '') {
    throw new InvalidError(`malformed join token: it is empty; ${expected}`);
  }
  const parts = token.trim().split('.');
  if (parts.length !== 4) {
    throw new InvalidError(
      `malformed join token: it has ${parts.length} part(s) separated by '.', not 4; ${expected}`,
    );
  }
  const [version, caHash, id, secret] = parts;
  if (version !== TOKEN_VERSION) {
    throw new InvalidError(
      `malformed join token: it does not start with ${TOKEN_VERSION}. (a token from another tool or version?); ${expected}`,
    );
  }
  if (!HASH_PATTERN.test(caHash)) {
    throw new InvalidError(
      `malformed join token: the CA hash is not 64 lowercase hex digits; ${expected}`,
    );
  }
  if (!ID_PATTERN.test(id)) {
    throw new InvalidError(`malformed join token: the id is not 6 of [a-z0-9]; ${expected}`);
  }
  if (!SECRET_PATTERN.test(secret)) {
    throw new InvalidError(
      `malformed join token ${id}: the secret is not 16 of [a-z0-9]; ${expected}`,
    );
  }
  return { caHash, id, secret };
}

export function formatJoinToken(token: JoinToken): string {
  return `${TOKEN_VERSION}.${token.caHash}.${token.id}.${token.secret}`;
}

/** Whether `name` is a valid node name: a DNS-1123 subdomain (lowercase, at most 253 characters). */
export function isNodeName(name: string): boolean {
  return name.length <= 253 && DNS1123_SUBDOMAIN.test(name);
}

/** sha256 of an SPKI DER, lowercase hex: how key bindings name a key. */
export function spkiSha256(spkiDer: Uint8Array): string {
  return createHash('sha256').update(spkiDer).digest('hex');
}

/**
 * The token database. Methods are synchronous (node:sqlite) and each is one
 * transaction, so they are atomic with respect to other processes using the file.
 * They may block up to the busy timeout while another process writes, then
 * throw `UnavailableError`.
 */
export class TokenStore {
  readonly path: string;
  readonly #db: DatabaseSync;
  readonly #stmt: Statements;
  readonly #now: () => number;

  /** Opens (creating when missing) the token database under `<dataDir>/pki`. */
  static open(dataDir: string, options: Omit<TokenStoreOptions, 'path'> = {}): TokenStore {
    return new TokenStore({ ...options, path: tokenStorePath(dataDir) });
  }

  constructor(options: TokenStoreOptions) {
    this.path = options.path;
    this.#now = options.now ?? Date.now;
    const timeout = options.busyTimeoutMs ?? 5000;
    let db: DatabaseSync;
    try {
      // Created with mode 0600 before SQLite opens it: SQLite gives the -wal and
      // -shm files the database file's mode.
      if (!existsSync(this.path)) closeSync(openSync(this.path, 'a', 0o600));
      db = new DatabaseSync(this.path, { timeout });
    } catch (err) {
      throw storageError(this.path, 'cannot open the token database', err);
    }
    this.#db = db;
    try {
      this.#initialize(timeout);
      this.#stmt = Object.fromEntries(
        Object.entries(SQL).map(([name, sql]) => [name, db.prepare(sql)]),
      ) as Statements;
    } catch (err) {
      db.close();
      throw storageError(this.path, 'cannot open the token database', err);
    }
  }

  #initialize(busyTimeoutMs: number): void {
    const db = this.#db;
    const pragma = <T>(sql: string): T => db.prepare(sql).get() as T;
    /** Throws unless the file is fresh or ours; returns whether it is fresh. */
    const identify = (): boolean => {
      const appId = pragma<{ application_id: number }>('PRAGMA application_id').application_id;
      const tables = pragma<{ n: number }>(
        `SELECT COUNT(*) AS n FROM sqlite_schema WHERE type = 'table'`,
      ).n;
      if (appId === 0 && tables === 0) return true;
      if (appId !== APPLICATION_ID) {
        throw new InvalidError(
          `${this.path} is not a Verge token database (application_id ${appId}); it was left untouched`,
        );
      }
      const version = pragma<{ user_version: number }>('PRAGMA user_version').user_version;
      if (version !== SCHEMA_VERSION) {
        throw new InvalidError(
          `${this.path} has token schema version ${version}, this verge knows ${SCHEMA_VERSION}`,
        );
      }
      return false;
    };
    // Written out rather than left to build defaults:
    // - busy_timeout: `verge token create` and the server share the file; a
    //   writer waits for the other's (short) transaction instead of failing.
    db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
    // Identify the file before changing anything in it (the journal mode too):
    // a foreign file must be left exactly as it was.
    identify();
    // - WAL: readers never block the writer; NORMAL locking (not EXCLUSIVE),
    //   because two processes use the file.
    // - synchronous FULL: a consumed use or a revocation survives power loss.
    const mode = pragma<{ journal_mode?: string }>('PRAGMA journal_mode = WAL');
    if (mode.journal_mode !== 'wal') {
      throw new UnavailableError(
        `cannot switch ${this.path} to WAL mode (got ${mode.journal_mode})`,
      );
    }
    db.exec('PRAGMA synchronous = FULL');
    // Again under the write lock: another process may have created it meanwhile.
    this.#transaction('cannot open the token database', () => {
      if (identify()) {
        db.exec(SCHEMA);
        db.exec(`PRAGMA application_id = ${APPLICATION_ID}`);
        db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
      }
    });
  }

  /** Makes a token. The secret is returned once, in `token`, and stored only as its hash. */
  create(options: CreateTokenOptions): CreatedToken {
    if (!HASH_PATTERN.test(options.caHash)) {
      throw new InvalidError('caHash: must be a sha256 in lowercase hex');
    }
    if (options.node !== undefined && !isNodeName(options.node)) {
      throw new InvalidError(
        `node: ${JSON.stringify(options.node)} is not a valid node name (a lowercase DNS-1123 subdomain such as edge-1 or edge-1.example.com)`,
      );
    }
    const ttlMs = options.ttlMs ?? DEFAULT_TOKEN_TTL_MS;
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
      throw new InvalidError(`ttl: must be a positive duration, got ${ttlMs} ms`);
    }
    if (options.uses !== undefined && (!Number.isSafeInteger(options.uses) || options.uses < 1)) {
      throw new InvalidError(`uses: must be a whole number of at least 1, got ${options.uses}`);
    }
    const description = options.description ?? '';
    // eslint-disable-next-line no-control-regex
    if (description.length > MAX_DESCRIPTION || /[\u0000-\u001f\u007f]/.test(description)) {
      throw new InvalidError(
        `description: at most ${MAX_DESCRIPTION} characters without control characters`,
      );
    }
    const now = this.#now();
    return this.#transaction('cannot create a token', () => {
      this.#stmt.prune.run(now - KEEP_AFTER_EXPIRY_MS);
      // 36^6 ids: a collision is rare, but an id must never name two tokens.
      let id = randomString(ID_LENGTH);
      while (this.#stmt.get.get(id) !== undefined) id = randomString(ID_LENGTH);
      const secret = randomString(SECRET_LENGTH);
      const info: TokenInfo = {
        id,
        ...(options.node !== undefined && { node: options.node }),
        ...(options.uses !== undefined && { usesLeft: options.uses }),
        expires: new Date(now + ttlMs),
        created: new Date(now),
        description,
      };
      this.#stmt.insert.run(
        id,
        sha256Hex(secret),
        options.node ?? null,
        options.uses ?? null,
        now + ttlMs,
        now,
        description,
      );
      return { token: formatJoinToken({ caHash: options.caHash, id, secret }), info };
    });
  }

  /**
   * Tokens not revoked, oldest first, including expired and used-up ones until
   * they are removed (a day after expiry).
   */
  list(): TokenInfo[] {
    return this.#read('cannot list tokens', () =>
      (this.#stmt.list.all() as unknown as TokenRow[]).map(toInfo),
    );
  }

  /** Revokes a token: no join succeeds with it afterwards. `NotFoundError` if there is no such token. */
  revoke(id: string): void {
    if (!ID_PATTERN.test(id)) {
      throw new InvalidError(`${JSON.stringify(id)} is not a token id (6 of [a-z0-9])`);
    }
    const changed = this.#transaction('cannot delete the token', () => {
      this.#stmt.prune.run(this.#now() - KEEP_AFTER_EXPIRY_MS);
      return Number(this.#stmt.revoke.run(this.#now(), id).changes);
    });
    if (changed === 0) throw new NotFoundError(`token ${id} not found`, { name: id });
  }

  /** Whether `token` would let `nodeName` join now. Consumes nothing. */
  check(token: JoinToken, nodeName: string): TokenCheck {
    return this.#read('cannot check the token', () => this.#check(token, nodeName));
  }

  /**
   * Completes a join in one transaction: checks the token again (another join
   * may have used it up or it may have been revoked since `check`), takes one
   * use, and binds `nodeName` to the key, unless the binding changed since the
   * caller looked (`expectedBinding`). Nothing changes unless everything passes.
   */
  commitJoin(options: CommitJoinOptions): CommitJoinResult {
    const { token, nodeName, spkiSha256, expectedBinding } = options;
    return this.#transaction('cannot record the join', (): CommitJoinResult => {
      const checked = this.#check(token, nodeName);
      if (!checked.ok) return checked;
      const current = this.#binding(nodeName);
      if (current !== expectedBinding && current !== spkiSha256) {
        return {
          ok: false,
          rejection: 'binding-changed',
          message: `node "${nodeName}" was claimed by another key during this join; try again`,
        };
      }
      if (checked.info.usesLeft !== undefined) this.#stmt.useOne.run(token.id);
      this.#stmt.putKey.run(nodeName, spkiSha256, this.#now());
      const usesLeft = checked.info.usesLeft === undefined ? undefined : checked.info.usesLeft - 1;
      return { ok: true, info: { ...checked.info, ...(usesLeft !== undefined && { usesLeft }) } };
    });
  }

  /** The SPKI sha256 holding `nodeName`, or undefined. */
  nodeKey(nodeName: string): string | undefined {
    return this.#read('cannot read the node key binding', () => this.#binding(nodeName));
  }

  /** Binds `nodeName` to a key (certificate renewal by the node itself). */
  setNodeKey(nodeName: string, spkiSha256: string): void {
    this.#transaction('cannot record the node key', () => {
      this.#stmt.putKey.run(nodeName, spkiSha256, this.#now());
    });
  }

  /** Forgets the key of `nodeName`. Idempotent. */
  deleteNodeKey(nodeName: string): void {
    this.#transaction('cannot delete the node key', () => {
      this.#stmt.deleteKey.run(nodeName);
    });
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  #binding(nodeName: string): string | undefined {
    const row = this.#stmt.getKey.get(nodeName) as { spki_sha256: string } | undefined;
    return row?.spki_sha256;
  }

  #check(token: JoinToken, nodeName: string): TokenCheck {
    const reject = (rejection: TokenRejection, message: string): TokenCheck => ({
      ok: false,
      rejection,
      message,
    });
    const row = this.#stmt.get.get(token.id) as TokenRow | undefined;
    // Hash even when there is no row, so both answers take the same time.
    const presented = createHash('sha256').update(token.secret).digest();
    if (row === undefined) return reject('unknown', `token ${token.id} does not exist`);
    if (!timingSafeEqual(presented, Buffer.from(row.secret_sha256, 'hex'))) {
      return reject('wrong-secret', `token ${token.id}: wrong secret`);
    }
    if (row.revoked_ms !== null) return reject('revoked', `token ${token.id} has been revoked`);
    const now = this.#now();
    if (row.expires_ms <= now) {
      return reject(
        'expired',
        `token ${token.id} expired at ${new Date(row.expires_ms).toISOString()}`,
      );
    }
    if (row.uses_left !== null && row.uses_left <= 0) {
      return reject('used-up', `token ${token.id} has been used up`);
    }
    if (row.node !== null && row.node !== nodeName) {
      return reject(
        'other-node',
        `token ${token.id} is bound to node "${row.node}", not "${nodeName}"`,
      );
    }
    return { ok: true, info: toInfo(row) };
  }

  #read<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw storageError(this.path, what, err);
    }
  }

  #transaction<T>(what: string, fn: () => T): T {
    try {
      this.#db.exec('BEGIN IMMEDIATE');
    } catch (err) {
      throw storageError(this.path, what, err);
    }
    try {
      const result = fn();
      this.#db.exec('COMMIT');
      return result;
    } catch (err) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw storageError(this.path, what, err);
    }
  }
}

function toInfo(row: TokenRow): TokenInfo {
  return {
    id: row.id,
    ...(row.node !== null && { node: row.node }),
    ...(row.uses_left !== null && { usesLeft: Number(row.uses_left) }),
    expires: new Date(Number(row.expires_ms)),
    created: new Date(Number(row.created_ms)),
    description: row.description,
  };
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Uniform over [a-z0-9]: bytes at or above 252 (7 x 36) are dropped, not folded. */
function randomString(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 252 && out.length < length) out += ALPHABET[byte % 36];
    }
  }
  return out;
}

/** A SQLite error as one of Verge's errors, naming the file. */
function storageError(path: string, what: string, err: unknown): Error {
  return sqliteError(path, what, err, `${path} is busy (another process holds it too long)`);
}
