/**
 * What every SQLite file Verge owns shares (the object store, the edge's
 * database, the join tokens): recognising a SQLite file before opening it, and
 * turning SQLite's errors into Verge's closed set, naming the file.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { InvalidError, isVergeError, UnavailableError } from './errors.ts';

/** The first 16 bytes of every SQLite database file. */
export const SQLITE_HEADER = 'SQLite format 3\0';

/** The first 16 bytes of `path`; undefined when it is missing, empty or not a file. */
export function readFileHeader(path: string): string | undefined {
  if (!existsSync(path) || !statSync(path).isFile() || statSync(path).size === 0) return undefined;
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(16);
    const n = readSync(fd, buf, 0, 16, 0);
    return buf.subarray(0, n).toString('latin1');
  } finally {
    closeSync(fd);
  }
}

/**
 * A SQLite error as a Verge error: busy/locked -> Unavailable with `locked` (what
 * holding the file means for this database), corrupt/not a database -> Invalid,
 * disk full and anything else -> Unavailable. Verge errors pass through.
 */
export function sqliteError(path: string, what: string, err: unknown, locked: string): Error {
  if (isVergeError(err)) return err;
  const errcode = (err as { errcode?: number }).errcode ?? -1;
  const detail = err instanceof Error ? err.message : String(err);
  switch (errcode & 0xff) {
    case 5: // SQLITE_BUSY
    case 6: // SQLITE_LOCKED
      return new UnavailableError(`${what}: ${locked}`, { cause: err });
    case 11: // SQLITE_CORRUPT
    case 26: // SQLITE_NOTADB
      return new InvalidError(
        `${what}: ${path} is corrupt or not a database (${detail}); it was left untouched`,
        { cause: err },
      );
    case 13: // SQLITE_FULL
      return new UnavailableError(`${what}: the disk holding ${path} is full`, { cause: err });
    default:
      return new UnavailableError(`${what}: storage error on ${path}: ${detail}`, { cause: err });
  }
}
