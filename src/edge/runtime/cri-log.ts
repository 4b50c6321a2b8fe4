/**
 * The CRI container log format, written by runtime drivers and read by the pod
 * manager for `kubectl logs`.
 *
 * A file holds one record per line:
 *
 *     2026-11-22T07:03:50.101648380Z stdout F hello world
 *
 * `F` marks the last chunk of a line of output, `P` a chunk of a line that goes
 * on in a later record of the same stream (a line longer than the maximum record
 * size, or output not yet ended by a newline when it was flushed). The content
 * of a record never holds its own newline: the reader puts one back after each
 * `F`, as the kubelet does.
 *
 * Rotation (the writer's, used by the process driver): when a record would take
 * the file past `maxSize`, `<path>` becomes `<path>.1`, `<path>.1` becomes
 * `<path>.2` and so on; at most `maxFiles` files exist, counting `<path>`. The
 * reader reads rotated files oldest first and follows a file across rotation.
 */
import { open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { realClock, sleep } from '../../util/clock.ts';
import { NotFoundError } from '../../util/errors.ts';

export type LogStream = 'stdout' | 'stderr';

/** One parsed record of a CRI log file. */
export interface LogRecord {
  /** The timestamp as written (RFC 3339, any fraction of a second). */
  timestamp: string;
  /** The timestamp in milliseconds since the epoch. */
  time: number;
  stream: LogStream;
  /** True for `P`: the line goes on in the next record of the same stream. */
  partial: boolean;
  /** The record's bytes, without the newline. */
  content: Buffer;
}

const TIMESTAMP_RE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;
const SPACE = 0x20;
const NEWLINE = 0x0a;

/**
 * Parses one record (without its newline; a trailing `\n` is tolerated).
 * Returns null for anything that is not a well-formed record, so a reader skips
 * damaged lines instead of failing the whole request.
 */
export function parseLogLine(line: Buffer | string): LogRecord | null {
  let buf = typeof line === 'string' ? Buffer.from(line) : line;
  if (buf.length > 0 && buf[buf.length - 1] === NEWLINE) buf = buf.subarray(0, buf.length - 1);
  const sp1 = buf.indexOf(SPACE);
  if (sp1 < 0) return null;
  const sp2 = buf.indexOf(SPACE, sp1 + 1);
  if (sp2 < 0) return null;
  let sp3 = buf.indexOf(SPACE, sp2 + 1);
  // `<ts> stdout F` with no space after the tag: an empty line.
  if (sp3 < 0) sp3 = buf.length;
  const timestamp = buf.toString('latin1', 0, sp1);
  const time = parseTimestamp(timestamp);
  if (time === null) return null;
  const stream = buf.toString('latin1', sp1 + 1, sp2);
  if (stream !== 'stdout' && stream !== 'stderr') return null;
  // Tags may carry more than one value separated by ':'; the first is P or F.
  const tag = buf.toString('latin1', sp2 + 1, sp3).split(':')[0];
  if (tag !== 'P' && tag !== 'F') return null;
  const content = sp3 < buf.length ? buf.subarray(sp3 + 1) : Buffer.alloc(0);
  return { timestamp, time, stream, partial: tag === 'P', content };
}

/** Milliseconds of an RFC 3339 timestamp, or null when it is not one. */
function parseTimestamp(ts: string): number | null {
  const m = TIMESTAMP_RE.exec(ts);
  if (!m) return null;
  const ms = (m[2] ?? '').padEnd(3, '0').slice(0, 3);
  const time = Date.parse(`${m[1]}.${ms}${m[3]}`);
  return Number.isNaN(time) ? null : time;
}

/**
 * The timestamp in the kubelet's output form (RFC3339Nano with all nine
 * digits, UTC), for `kubectl logs --timestamps`.
 */
function outputTimestamp(record: LogRecord): string {
  const m = TIMESTAMP_RE.exec(record.timestamp);
  if (m && m[3] === 'Z') return `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}Z`;
  return formatNanos(BigInt(record.time) * 1_000_000n);
}

/** `2026-11-22T07:03:50.101648380Z` for nanoseconds since the epoch. */
function formatNanos(ns: bigint): string {
  const ms = ns / 1_000_000n;
  const sub = ns % 1_000_000n;
  const iso = new Date(Number(ms)).toISOString(); // ...:50.101Z
  return `${iso.slice(0, -1)}${sub.toString().padStart(6, '0')}Z`;
}

// ---------------------------------------------------------------------------
// Writer

export interface CriLogWriterOptions {
  /** Largest content of one record; longer lines are split into P records. Default 16 KiB. */
  maxLineSize?: number;
  /** Rotate before a write would take the file past this many bytes. Default 10 MiB; 0 = never. */
  maxSize?: number;
  /** Files kept, counting the live one (`<path>`, `<path>.1` ... `<path>.<maxFiles-1>`). Default 5. */
  maxFiles?: number;
  /** Milliseconds since the epoch; default Date.now. */
  now?: () => number;
}

/**
 * Appends the output of a container's streams to a CRI log file.
 *
 * Output is cut at newlines; what follows the last newline of a stream is kept
 * until more output completes it, a maximum-size record fills up, or `flush()`
 * writes it as a P record. Timestamps have nanosecond form; they come from a
 * millisecond clock, so the digits below the millisecond are a counter that
 * keeps every record's time strictly after the one before.
 *
 * Calls are queued, so they may be made without awaiting each other; each
 * resolves once its data is in the file (not fsynced).
 */
export class CriLogWriter {
  readonly path: string;
  readonly #maxLineSize: number;
  readonly #maxSize: number;
  readonly #maxFiles: number;
  readonly #now: () => number;
  #file: FileHandle | null = null;
  #size = 0;
  #lastNs = 0n;
  #pending: Record<LogStream, Buffer> = { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };
  #queue: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(path: string, options: CriLogWriterOptions = {}) {
    this.path = path;
    this.#maxLineSize = Math.max(1, options.maxLineSize ?? 16 * 1024);
    this.#maxSize = options.maxSize ?? 10 * 1024 * 1024;
    this.#maxFiles = Math.max(1, options.maxFiles ?? 5);
    this.#now = options.now ?? Date.now;
  }

  /** Appends a chunk of one stream's output. */
  write(stream: LogStream, data: Buffer | string): Promise<void> {
    const chunk = typeof data === 'string' ? Buffer.from(data) : data;
    return this.#enqueue(() => this.#write(stream, chunk));
  }

  /**
   * Writes output not yet ended by a newline: as P records (the line may go
   * on later), or as F when `final` (the stream ended, as containerd does at EOF).
   */
  flush(options: { final?: boolean } = {}): Promise<void> {
    return this.#enqueue(async () => {
      const records: Buffer[] = [];
      for (const stream of ['stdout', 'stderr'] as const) {
        const rest = this.#pending[stream];
        if (rest.length === 0) continue;
        this.#pending[stream] = Buffer.alloc(0);
        records.push(this.#record(stream, options.final ? 'F' : 'P', rest));
      }
      await this.#append(records);
    });
  }

  /** Rotates now, whatever the file's size (`<path>` becomes `<path>.1`). */
  rotate(): Promise<void> {
    return this.#enqueue(() => this.#rotate());
  }

  /** Closes and reopens `<path>`, e.g. after someone else rotated or removed it. */
  reopen(): Promise<void> {
    return this.#enqueue(async () => {
      await this.#closeFile();
    });
  }

  /** Flushes pending output as F records and closes the file. */
  async close(): Promise<void> {
    await this.flush({ final: true });
    await this.#enqueue(async () => {
      this.#closed = true;
      await this.#closeFile();
    });
  }

  #enqueue(fn: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(() => {
      if (this.#closed) throw new Error(`log writer for ${this.path} is closed`);
      return fn();
    });
    // The queue goes on after a failure; the caller of the failed call sees it.
    this.#queue = run.catch(() => {});
    return run;
  }

  async #write(stream: LogStream, chunk: Buffer): Promise<void> {
    const data =
      this.#pending[stream].length > 0 ? Buffer.concat([this.#pending[stream], chunk]) : chunk;
    const records: Buffer[] = [];
    let start = 0;
    for (;;) {
      const nl = data.indexOf(NEWLINE, start);
      if (nl < 0) break;
      let pos = start;
      while (nl - pos > this.#maxLineSize) {
        records.push(this.#record(stream, 'P', data.subarray(pos, pos + this.#maxLineSize)));
        pos += this.#maxLineSize;
      }
      records.push(this.#record(stream, 'F', data.subarray(pos, nl)));
      start = nl + 1;
    }
    while (data.length - start >= this.#maxLineSize) {
      records.push(this.#record(stream, 'P', data.subarray(start, start + this.#maxLineSize)));
      start += this.#maxLineSize;
    }
    // Copy: the caller may reuse its buffer.
    this.#pending[stream] = Buffer.from(data.subarray(start));
    await this.#append(records);
  }

  #record(stream: LogStream, tag: 'P' | 'F', content: Buffer): Buffer {
    let ns = BigInt(this.#now()) * 1_000_000n;
    if (ns <= this.#lastNs) ns = this.#lastNs + 1n;
    this.#lastNs = ns;
    return Buffer.concat([Buffer.from(`${formatNanos(ns)} ${stream} ${tag} `), content, NL_BUF]);
  }

  async #append(records: Buffer[]): Promise<void> {
    let batch: Buffer[] = [];
    let batchSize = 0;
    for (const record of records) {
      const file = await this.#open();
      if (
        this.#maxSize > 0 &&
        this.#size + batchSize > 0 &&
        this.#size + batchSize + record.length > this.#maxSize
      ) {
        await writeAll(file, batch);
        batch = [];
        batchSize = 0;
        await this.#rotate();
      }
      batch.push(record);
      batchSize += record.length;
    }
    if (batch.length > 0) {
      const file = await this.#open();
      await writeAll(file, batch);
      this.#size += batchSize;
    }
  }

  async #open(): Promise<FileHandle> {
    if (!this.#file) {
      this.#file = await open(this.path, 'a');
      this.#size = (await this.#file.stat()).size;
    }
    return this.#file;
  }

  async #closeFile(): Promise<void> {
    const file = this.#file;
    this.#file = null;
    this.#size = 0;
    await file?.close();
  }

  async #rotate(): Promise<void> {
    await this.#closeFile();
    await rm(`${this.path}.${this.#maxFiles - 1}`, { force: true });
    for (let n = this.#maxFiles - 2; n >= 1; n--) {
      await rename(`${this.path}.${n}`, `${this.path}.${n + 1}`).catch(ignoreENOENT);
    }
    if (this.#maxFiles > 1) await rename(this.path, `${this.path}.1`).catch(ignoreENOENT);
    else await rm(this.path, { force: true });
  }
}

const NL_BUF = Buffer.from('\n');

async function writeAll(file: FileHandle, buffers: Buffer[]): Promise<void> {
  if (buffers.length === 0) return;
  const data = buffers.length === 1 ? buffers[0] : Buffer.concat(buffers);
  let off = 0;
  while (off < data.length) {
    const { bytesWritten } = await file.write(data, off, data.length - off);
    off += bytesWritten;
  }
}

function ignoreENOENT(err: unknown): void {
  if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
}

// ---------------------------------------------------------------------------
// Reader

/** `kubectl logs` options, as the kubelet applies them. */
export interface LogOptions {
  /** Keep reading appended output (across rotation) until the signal aborts or `stillRunning` says no. */
  follow?: boolean;
  /** Only the last N lines (across rotated files); undefined = all. */
  tailLines?: number;
  /** Drop lines older than this (ms since the epoch). */
  sinceTime?: number;
  /** Prefix each line with its RFC3339Nano timestamp and a space. */
  timestamps?: boolean;
  /** Stop after writing this many bytes (prefixes included). */
  limitBytes?: number;
  /** Default 'all'. */
  stream?: LogStream | 'all';
  /** With follow: whether the container may still write; when it says no, the reader drains the file and ends. */
  stillRunning?: () => boolean | Promise<boolean>;
  /** How often follow looks for new data. Default 200 ms. */
  pollIntervalMs?: number;
}

/** A line of output being put back together from P records. */
interface OpenLine {
  /** The line is written (it passed sinceTime). */
  shown: boolean;
}

interface TailLine {
  record: LogRecord;
  chunks: Buffer[];
  complete: boolean;
}

interface TailState {
  lines: TailLine[];
  /** The line each stream is in the middle of; 'skip' for one dropped by sinceTime. */
  open: Record<LogStream, TailLine | 'skip' | null>;
}

const READ_SIZE = 64 * 1024;
/** A record longer than this without a newline is damage, not data: drop it. */
const MAX_RECORD = 1024 * 1024;

/**
 * Copies a CRI log (with its rotated files) to `out` with kubectl logs
 * semantics. Damaged lines are skipped. Resolves when done (or, with follow,
 * when `signal` aborts, `stillRunning` returns false and the file is drained,
 * `limitBytes` is reached, or `out` closes). Rejects with NotFoundError when
 * there is no log file and not following.
 */
export async function readLogs(
  path: string,
  options: LogOptions,
  out: Writable,
  signal?: AbortSignal,
): Promise<void> {
  const reader = new LogReader(path, options, out, signal ?? new AbortController().signal);
  await reader.run();
}

class LogReader {
  readonly #path: string;
  readonly #options: LogOptions;
  readonly #out: Writable;
  readonly #signal: AbortSignal;
  readonly #open: Record<LogStream, OpenLine | null> = { stdout: null, stderr: null };
  #written = 0;
  #done = false;
  /** For tailLines: whole lines collected before anything is written. */
  #tail: TailState | null = null;

  constructor(path: string, options: LogOptions, out: Writable, signal: AbortSignal) {
    this.#path = path;
    this.#options = options;
    this.#out = out;
    this.#signal = signal;
  }

  async run(): Promise<void> {
    const { follow } = this.#options;
    if (this.#options.tailLines !== undefined) {
      this.#tail = { lines: [], open: { stdout: null, stderr: null } };
    }
    const rotated = await this.#rotatedFiles();
    let live: FileHandle | null = await open(this.#path, 'r').catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    });
    if (!live && rotated.length === 0 && !follow) {
      throw new NotFoundError(`log file ${this.#path} not found`);
    }
    try {
      for (const file of rotated) await this.#readWhole(file);
      let position = 0;
      let carry: Buffer = Buffer.alloc(0);
      const readLive = async (): Promise<void> => {
        if (!live) return;
        const r = await this.#readFrom(live, position, carry);
        position = r.position;
        carry = r.carry;
      };
      await readLive();
      await this.#flushTail();
      if (!follow) return;

      const interval = this.#options.pollIntervalMs ?? 200;
      while (!this.#finished()) {
        // Ask before draining, so output written just before the exit is read.
        const running = this.#options.stillRunning ? await this.#options.stillRunning() : true;
        await readLive();
        if (this.#finished()) return;
        // Rotated (or replaced) under us: finish the old file and any rotated
        // since, then start on the new live file.
        const ino = live ? (await live.stat()).ino : -1;
        const current = await stat(this.#path).catch(() => null);
        if (current && current.ino !== ino) {
          if (live) {
            for (const file of await this.#rotatedSince(ino)) await this.#readWhole(file);
            await live.close();
          }
          live = await open(this.#path, 'r').catch(() => null);
          position = 0;
          carry = Buffer.alloc(0);
          continue;
        }
        if (live && current && current.size < position) {
          // Truncated in place: start again from the top.
          position = 0;
          carry = Buffer.alloc(0);
          continue;
        }
        if (!running) return;
        await sleep(realClock, interval, this.#signal);
      }
    } finally {
      await live?.close();
    }
  }

  #finished(): boolean {
    return this.#done || this.#signal.aborted || this.#out.destroyed || this.#out.writableEnded;
  }

  /** `<path>.N` files, oldest (highest N) first. */
  async #rotatedFiles(): Promise<string[]> {
    const files: string[] = [];
    for (let n = 1; ; n++) {
      const exists = await stat(`${this.#path}.${n}`).then(
        () => true,
        () => false,
      );
      if (!exists) break;
      files.push(`${this.#path}.${n}`);
    }
    return files.reverse();
  }

  /** Rotated files newer than the one with inode `ino`, oldest first. */
  async #rotatedSince(ino: number): Promise<string[]> {
    const newer: string[] = [];
    for (let n = 1; ; n++) {
      const s = await stat(`${this.#path}.${n}`).catch(() => null);
      if (!s || s.ino === ino) break;
      newer.push(`${this.#path}.${n}`);
    }
    return newer.reverse();
  }

  async #readWhole(path: string): Promise<void> {
    const file = await open(path, 'r').catch(() => null);
    if (!file) return; // rotated away meanwhile
    try {
      await this.#readFrom(file, 0, Buffer.alloc(0));
    } finally {
      await file.close();
    }
  }

  /** Reads records from `position` to the end; returns where it stopped and the incomplete last line. */
  async #readFrom(
    file: FileHandle,
    position: number,
    carry: Buffer,
  ): Promise<{ position: number; carry: Buffer }> {
    const buf = Buffer.alloc(READ_SIZE);
    for (;;) {
      if (this.#finished()) break;
      const { bytesRead } = await file.read(buf, 0, buf.length, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      const data =
        carry.length > 0
          ? Buffer.concat([carry, buf.subarray(0, bytesRead)])
          : buf.subarray(0, bytesRead);
      let start = 0;
      for (;;) {
        const nl = data.indexOf(NEWLINE, start);
        if (nl < 0) break;
        const record = parseLogLine(data.subarray(start, nl));
        start = nl + 1;
        if (record) await this.#record(record);
        if (this.#finished()) break;
      }
      carry = Buffer.from(data.subarray(start));
      if (carry.length > MAX_RECORD) carry = Buffer.alloc(0);
    }
    return { position, carry };
  }

  async #record(record: LogRecord): Promise<void> {
    const want = this.#options.stream ?? 'all';
    if (want !== 'all' && record.stream !== want) return;
    if (this.#tail) this.#collect(this.#tail, record);
    else await this.#emit(record);
  }

  /** For tailLines: puts records together into whole lines; the first chunk's time speaks for the line. */
  #collect(tail: TailState, record: LogRecord): void {
    const s = record.stream;
    const open = tail.open[s];
    if (open === 'skip') {
      if (!record.partial) tail.open[s] = null;
      return;
    }
    if (open) {
      open.chunks.push(record.content);
      if (!record.partial) {
        open.complete = true;
        tail.open[s] = null;
      }
      return;
    }
    const since = this.#options.sinceTime;
    if (since !== undefined && record.time < since) {
      if (record.partial) tail.open[s] = 'skip';
      return;
    }
    const line: TailLine = { record, chunks: [record.content], complete: !record.partial };
    tail.lines.push(line);
    if (record.partial) tail.open[s] = line;
    // Trim in batches so that dropping lines costs O(1) each.
    const keep = this.#options.tailLines ?? 0;
    if (tail.lines.length > 2 * keep + 1024)
      tail.lines = tail.lines.slice(-keep || tail.lines.length);
  }

  async #flushTail(): Promise<void> {
    const tail = this.#tail;
    if (!tail) return;
    this.#tail = null;
    const keep = this.#options.tailLines ?? 0;
    const lines = keep > 0 ? tail.lines.slice(-keep) : [];
    for (const { record, chunks, complete } of lines) {
      await this.#emit({ ...record, content: Buffer.concat(chunks), partial: !complete });
    }
    // A line still open goes on with what follow reads next; if its start fell
    // outside the tail, none of it is shown.
    for (const s of ['stdout', 'stderr'] as const) {
      const open = tail.open[s];
      if (open === 'skip' || (open && !lines.includes(open))) this.#open[s] = { shown: false };
    }
  }

  /** Writes one record's content as output (the kubelet's logWriter). */
  async #emit(record: LogRecord): Promise<void> {
    let line = this.#open[record.stream];
    if (!line) {
      const since = this.#options.sinceTime;
      line = { shown: since === undefined || record.time >= since };
      if (line.shown && this.#options.timestamps) {
        await this.#write(Buffer.from(`${outputTimestamp(record)} `));
      }
    }
    this.#open[record.stream] = record.partial ? line : null;
    if (!line.shown) return;
    await this.#write(record.partial ? record.content : Buffer.concat([record.content, NL_BUF]));
  }

  async #write(data: Buffer): Promise<void> {
    if (this.#finished()) return;
    const limit = this.#options.limitBytes;
    if (limit !== undefined) {
      const room = limit - this.#written;
      if (room <= 0) {
        this.#done = true;
        return;
      }
      if (data.length >= room) {
        data = data.subarray(0, room);
        this.#done = true;
      }
    }
    this.#written += data.length;
    if (!this.#out.write(data)) await drained(this.#out, this.#signal);
  }
}

/** Waits for 'drain' (or the stream closing, or an abort). */
function drained(out: Writable, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      out.off('drain', done);
      out.off('close', done);
      out.off('error', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
    out.on('error', done);
    signal.addEventListener('abort', done, { once: true });
  });
}
