import assert from 'node:assert/strict';
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { isNotFound } from '../../util/errors.ts';
import { CriLogWriter, parseLogLine, readLogs, type LogOptions } from './cri-log.ts';

const dir = mkdtempSync(join(tmpdir(), 'verge-cri-log-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let seq = 0;
const newPath = (): string => join(dir, `${seq++}.log`);

/** A Writable that keeps what it is given. */
class Sink extends Writable {
  chunks: Buffer[] = [];
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.chunks.push(chunk);
    cb();
  }
  get text(): string {
    return Buffer.concat(this.chunks).toString();
  }
}

async function read(path: string, options: LogOptions = {}): Promise<string> {
  const sink = new Sink();
  await readLogs(path, options, sink);
  return sink.text;
}

async function until(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const T0 = Date.UTC(2026, 10, 22, 7, 3, 50, 101);

describe('parseLogLine', () => {
  it('parses a full record', () => {
    const r = parseLogLine('2026-11-22T07:03:50.101648380Z stdout F hello world');
    assert.ok(r);
    assert.equal(r.time, T0);
    assert.equal(r.timestamp, '2026-11-22T07:03:50.101648380Z');
    assert.equal(r.stream, 'stdout');
    assert.equal(r.partial, false);
    assert.equal(r.content.toString(), 'hello world');
  });

  it('accepts empty content, short fractions, offsets and multi-value tags', () => {
    assert.equal(parseLogLine('2026-11-22T07:03:50Z stderr P ')?.content.length, 0);
    assert.equal(parseLogLine('2026-11-22T07:03:50Z stderr F')?.content.length, 0);
    assert.equal(parseLogLine('2026-11-22T07:03:50.1Z stdout F x')?.time, T0 - 1);
    assert.equal(parseLogLine('2026-11-22T08:03:50.101+01:00 stdout F x')?.time, T0);
    assert.equal(parseLogLine('2026-11-22T07:03:50Z stdout P:x y')?.partial, true);
    assert.equal(
      parseLogLine('2026-11-22T07:03:50Z stdout F  two spaces')?.content.toString(),
      ' two spaces',
    );
  });

  it('rejects malformed records', () => {
    for (const bad of [
      '',
      'garbage',
      'not-a-time stdout F x',
      '2026-11-22T07:03:50Z stdin F x',
      '2026-11-22T07:03:50Z stdout X x',
      '2026-13-45T07:03:50Z stdout F x',
      '2026-11-22T07:03:50Z stdout',
    ]) {
      assert.equal(parseLogLine(bad), null, bad);
    }
  });
});

describe('CriLogWriter', () => {
  it('writes one F record per line, keeps unfinished output until flushed as P, F at close', async () => {
    const path = newPath();
    const w = new CriLogWriter(path, { now: () => T0 });
    await w.write('stdout', 'one\ntw');
    await w.write('stderr', 'err\n');
    await w.write('stdout', 'o\nthr');
    await w.flush();
    await w.write('stdout', 'ee');
    await w.close();
    const records = readFileSync(path, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => parseLogLine(l));
    assert.deepEqual(
      records.map((r) => `${r?.stream} ${r?.partial ? 'P' : 'F'} ${r?.content}`),
      ['stdout F one', 'stderr F err', 'stdout F two', 'stdout P thr', 'stdout F ee'],
    );
    // Same millisecond: the counter below it keeps them strictly increasing.
    const stamps = records.map((r) => r?.timestamp ?? '');
    assert.equal(stamps[0], '2026-11-22T07:03:50.101000000Z');
    assert.deepEqual([...stamps].sort(), stamps);
    assert.equal(new Set(stamps).size, stamps.length);
  });

  it('splits lines longer than maxLineSize into P records', async () => {
    const path = newPath();
    const w = new CriLogWriter(path, { maxLineSize: 4 });
    await w.write('stdout', 'abcdefghij\nabcd\n');
    await w.write('stdout', 'abcdefgh');
    await w.close();
    const tags = readFileSync(path, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => {
        const r = parseLogLine(l);
        return `${r?.partial ? 'P' : 'F'}:${r?.content}`;
      });
    assert.deepEqual(tags, ['P:abcd', 'P:efgh', 'F:ij', 'F:abcd', 'P:abcd', 'P:efgh']);
    assert.equal(await read(path), 'abcdefghij\nabcd\nabcdefgh');
  });

  it('rotates by size, keeping maxFiles files', async () => {
    const path = newPath();
    const w = new CriLogWriter(path, { maxSize: 100, maxFiles: 3 });
    for (let i = 0; i < 20; i++) await w.write('stdout', `line ${i}\n`);
    await w.close();
    assert.ok(existsSync(`${path}.1`) && existsSync(`${path}.2`));
    assert.ok(!existsSync(`${path}.3`));
    for (const f of [path, `${path}.1`, `${path}.2`]) {
      assert.ok(readFileSync(f).length <= 100, f);
    }
    const all = await read(path);
    assert.ok(all.endsWith('line 18\nline 19\n'), all);
    // The oldest lines were dropped with the oldest file.
    assert.ok(!all.startsWith('line 0\n'));
    await w.rotate().catch(() => {}); // closed: rejects, does not hang
  });

  it('rotate() moves the file aside on demand and reopen() picks up a new file', async () => {
    const path = newPath();
    const w = new CriLogWriter(path);
    await w.write('stdout', 'a\n');
    await w.rotate();
    await w.write('stdout', 'b\n');
    assert.equal(await read(`${path}.1`), 'a\n');
    rmSync(path);
    await w.reopen();
    await w.write('stdout', 'c\n');
    await w.close();
    assert.equal(await read(path), 'a\nc\n');
  });
});

describe('readLogs', () => {
  const line = (ms: number, stream: string, tag: string, text: string): string =>
    `${new Date(ms).toISOString().replace('Z', '123456Z')} ${stream} ${tag} ${text}\n`;

  it('joins partial records, filters streams, adds timestamps, skips damaged lines', async () => {
    const path = newPath();
    writeFileSync(
      path,
      line(T0, 'stdout', 'P', 'hel') +
        'this is not a record\n' +
        line(T0 + 1, 'stderr', 'F', 'oops') +
        '2026-11-22T07:03:50Z stdout Q broken tag\n' +
        '\0\0\0\n' +
        line(T0 + 2, 'stdout', 'F', 'lo') +
        line(T0 + 3, 'stdout', 'F', '') +
        '2026-11-22T07:03:5', // torn last line
    );
    assert.equal(await read(path), 'hel' + 'oops\n' + 'lo\n\n');
    assert.equal(await read(path, { stream: 'stdout' }), 'hello\n\n');
    assert.equal(await read(path, { stream: 'stderr' }), 'oops\n');
    assert.equal(
      await read(path, { stream: 'stdout', timestamps: true }),
      '2026-11-22T07:03:50.101123456Z hello\n2026-11-22T07:03:50.104123456Z \n',
    );
  });

  it('applies sinceTime per line and limitBytes to everything written', async () => {
    const path = newPath();
    writeFileSync(
      path,
      line(T0, 'stdout', 'F', 'old') +
        line(T0 + 10, 'stdout', 'P', 'new') +
        line(T0 + 20, 'stdout', 'F', 'er') +
        line(T0 + 30, 'stdout', 'F', 'newest'),
    );
    assert.equal(await read(path, { sinceTime: T0 + 5 }), 'newer\nnewest\n');
    assert.equal(await read(path, { sinceTime: T0 + 15 }), 'newest\n');
    assert.equal(await read(path, { limitBytes: 6 }), 'old\nne');
    assert.equal(await read(path, { limitBytes: 6, timestamps: true }), '2026-1');
  });

  it('tails across rotated files', async () => {
    const path = newPath();
    const w = new CriLogWriter(path, { maxSize: 120, maxFiles: 4 });
    for (let i = 0; i < 8; i++) await w.write('stdout', `line ${i}\n`);
    await w.close();
    assert.ok(existsSync(`${path}.2`), 'expected at least two rotations');
    assert.equal(await read(path, { tailLines: 5 }), 'line 3\nline 4\nline 5\nline 6\nline 7\n');
    assert.equal(await read(path, { tailLines: 0 }), '');
    assert.equal(await read(path, { tailLines: 100 }), await read(path));
    assert.equal(await read(path, { tailLines: 2, sinceTime: 0, stream: 'stderr' }), '');
  });

  it('counts a line put together from partial records once for tailLines', async () => {
    const path = newPath();
    writeFileSync(
      path,
      line(T0, 'stdout', 'F', 'a') +
        line(T0, 'stdout', 'P', 'b1') +
        line(T0, 'stderr', 'F', 'e') +
        line(T0, 'stdout', 'P', 'b2') +
        line(T0, 'stdout', 'F', 'b3'),
    );
    assert.equal(await read(path, { tailLines: 2 }), 'b1b2b3\ne\n');
    assert.equal(await read(path, { tailLines: 1 }), 'e\n');
  });

  it('rejects with NotFound when there is no log file', async () => {
    await assert.rejects(read(join(dir, 'missing.log')), isNotFound);
  });

  it('follows appended data and across rotation until aborted', async () => {
    const path = newPath();
    const w = new CriLogWriter(path, { maxSize: 200, maxFiles: 3 });
    await w.write('stdout', 'first\n');
    const sink = new Sink();
    const abort = new AbortController();
    const done = readLogs(
      path,
      { follow: true, tailLines: 1, pollIntervalMs: 10 },
      sink,
      abort.signal,
    );
    await until('first line', () => sink.text === 'first\n');
    await w.write('stdout', 'second\n');
    await until('second line', () => sink.text === 'first\nsecond\n');
    let expected = sink.text;
    for (let i = 0; i < 10; i++) {
      await w.write('stderr', `rotating ${i}\n`);
      expected += `rotating ${i}\n`;
    }
    assert.ok(existsSync(`${path}.1`));
    await until('lines across rotation', () => sink.text === expected);
    abort.abort();
    await done;
    await w.write('stdout', 'after\n');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(sink.text, expected);
    await w.close();
  });

  it('follow ends when the container is gone, after draining what it wrote last', async () => {
    const path = newPath();
    let running = true;
    const sink = new Sink();
    // The file appears only after the reader starts.
    const done = readLogs(
      path,
      { follow: true, pollIntervalMs: 10, stillRunning: () => running },
      sink,
    );
    await new Promise((r) => setTimeout(r, 30));
    appendFileSync(path, line(T0, 'stdout', 'F', 'hello'));
    await until('hello', () => sink.text === 'hello\n');
    appendFileSync(path, line(T0, 'stdout', 'F', 'last words'));
    running = false;
    await done;
    assert.equal(sink.text, 'hello\nlast words\n');
  });
});
