/**
 * The edge end of the hub's streams (`kubectl logs`, `exec`, `attach`,
 * `port-forward`; the sub-protocol is described at `StreamKind` in
 * ../hub/protocol.ts): resolves the target through the pod manager's
 * ContainerLookup, says READY, then bridges the stream's channels to the
 * runtime's Node streams.
 *
 * Backpressure both ways: output waits on `HubStream.write` (which waits while
 * the cloud's window is used up), and input pauses the hub stream while the
 * runtime's Writable is full.
 */
import { Duplex, PassThrough, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import {
  checkStreamParams,
  exitStatus,
  StreamChannel,
  type AttachStreamParams,
  type ExecStreamParams,
  type LogsStreamParams,
  type PortForwardStreamParams,
  type StreamOpenMessage,
} from '../hub/protocol.ts';
import type { HubStream } from '../hub/streams.ts';
import { errorMessage, InvalidError } from '../util/errors.ts';
import type { Logger } from '../util/log.ts';
import type { ContainerLookup } from './kubelet/lookup.ts';
import { readLogs } from './runtime/cri-log.ts';
import type { Runtime, TerminalSize } from './runtime/types.ts';

export interface StreamHandlerOptions {
  lookup: ContainerLookup;
  runtime: Runtime;
  log: Logger;
  /** How often a followed log looks for new data. Default the reader's (200 ms). */
  logPollIntervalMs?: number;
}

export type StreamHandler = (stream: HubStream, open: StreamOpenMessage) => void;

const READY = Buffer.from('{}');

/**
 * The `onStream` for EdgeLink. Params are checked synchronously (a bad open
 * is refused); the rest runs in the background and ends by closing the stream,
 * with the error if it failed before READY.
 */
export function createStreamHandler(options: StreamHandlerOptions): StreamHandler {
  const log = options.log.child({ component: 'streams' });
  return (stream, open) => {
    let run: Promise<void>;
    switch (open.kind) {
      case 'logs':
        run = serveLogs(options, stream, checkStreamParams('logs', open.params));
        break;
      case 'exec':
        run = serveCommand(options, stream, checkStreamParams('exec', open.params));
        break;
      case 'attach':
        run = serveCommand(options, stream, checkStreamParams('attach', open.params));
        break;
      case 'portforward':
        run = servePortForward(options, stream, checkStreamParams('portforward', open.params));
        break;
    }
    run.then(
      () => stream.close(),
      (err: unknown) => {
        log.debug({ kind: open.kind, sid: stream.sid, err: errorMessage(err) }, 'stream failed');
        stream.close(err instanceof Error ? err : new Error(String(err)));
      },
    );
  };
}

/** An AbortSignal that fires when the stream closes (the client left). */
function closedSignal(stream: HubStream): AbortSignal {
  const ac = new AbortController();
  if (stream.closed) ac.abort();
  else stream.once('close', () => ac.abort());
  return ac.signal;
}

/** A Writable whose chunks go out on `channel`; `flushed()` resolves once all were handed over. */
function channelWriter(stream: HubStream, channel: number): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      stream.write(channel, chunk).then(() => callback(), callback);
    },
  });
}

async function serveLogs(
  o: StreamHandlerOptions,
  stream: HubStream,
  p: LogsStreamParams,
): Promise<void> {
  const signal = closedSignal(stream);
  const ref = await o.lookup.findContainer(p.namespace, p.pod, p.container, {
    previous: p.previous,
  });
  await stream.write(StreamChannel.Ready, READY);
  const out = channelWriter(stream, StreamChannel.Stdout);
  out.on('error', () => {}); // a closed stream ends the copy; readLogs sees the write fail
  const follow = p.follow && !p.previous;
  await readLogs(
    ref.logPath,
    {
      follow,
      tailLines: p.tailLines,
      sinceTime: p.sinceTime,
      timestamps: p.timestamps,
      limitBytes: p.limitBytes,
      pollIntervalMs: o.logPollIntervalMs,
      stillRunning: follow
        ? async () => {
            try {
              return (await o.runtime.containerStatus(ref.containerId)).state === 'running';
            } catch {
              return false;
            }
          }
        : undefined,
    },
    out,
    signal,
  );
  if (!out.writableEnded) out.end();
  if (!stream.closed) await finished(out).catch(() => {});
}

/** Resize messages: JSON objects `{"Width":w,"Height":h}`, possibly several per chunk or split. */
class ResizeQueue implements AsyncIterable<TerminalSize> {
  #text = '';
  readonly #sizes: TerminalSize[] = [];
  #wake?: () => void;
  #ended = false;

  push(chunk: Buffer): void {
    this.#text += chunk.toString();
    for (;;) {
      const start = this.#text.indexOf('{');
      const end = this.#text.indexOf('}', start);
      if (start < 0 || end < 0) break;
      const one = this.#text.slice(start, end + 1);
      this.#text = this.#text.slice(end + 1);
      try {
        const v = JSON.parse(one) as { Width?: unknown; Height?: unknown };
        if (Number.isInteger(v.Width) && Number.isInteger(v.Height)) {
          this.#sizes.push({ width: v.Width as number, height: v.Height as number });
        }
      } catch {
        // not a size: ignored, as the kubelet does
      }
    }
    if (this.#text.length > 1024) this.#text = '';
    this.#wake?.();
  }

  end(): void {
    this.#ended = true;
    this.#wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<TerminalSize> {
    for (;;) {
      while (this.#sizes.length > 0) yield this.#sizes.shift()!;
      if (this.#ended) return;
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = undefined;
    }
  }
}

async function serveCommand(
  o: StreamHandlerOptions,
  stream: HubStream,
  p: ExecStreamParams | AttachStreamParams,
): Promise<void> {
  const signal = closedSignal(stream);
  // Listeners first (synchronously): input may arrive as soon as the stream is accepted.
  const stdin = p.stdin ? new PassThrough() : undefined;
  const resize = p.tty ? new ResizeQueue() : undefined;
  stream.on('data', (channel, payload) => {
    if (channel === StreamChannel.Stdin && stdin && !stdin.writableEnded) {
      if (!stdin.write(payload)) {
        stream.pause();
        stdin.once('drain', () => stream.resume());
      }
    } else if (channel === StreamChannel.Resize) {
      resize?.push(payload);
    } else if (channel === StreamChannel.Close && payload[0] === StreamChannel.Stdin) {
      stdin?.end();
    }
  });
  stream.once('close', () => {
    stdin?.end();
    resize?.end();
  });

  const exec = 'command' in p;
  const ref = await o.lookup.findContainer(p.namespace, p.pod, p.container, { forExec: true });
  if (!ref.running) {
    throw new InvalidError(`container not found (${JSON.stringify(p.container ?? '')})`);
  }
  await stream.write(StreamChannel.Ready, READY);
  const stdout = p.stdout ? channelWriter(stream, StreamChannel.Stdout) : undefined;
  const stderr = p.stderr && !p.tty ? channelWriter(stream, StreamChannel.Stderr) : undefined;
  for (const w of [stdout, stderr]) w?.on('error', () => {});
  const streams = { stdin, stdout, stderr, tty: p.tty, resize, signal };
  let status;
  try {
    if (exec) {
      const result = await o.runtime.exec(ref.containerId, { ...streams, cmd: p.command });
      status = exitStatus(result.exitCode);
    } else {
      await o.runtime.attach(ref.containerId, streams);
      status = exitStatus(0);
    }
  } catch (err) {
    if (stream.closed) return;
    status = {
      metadata: {},
      status: 'Failure',
      reason: 'InternalError',
      message: `error executing command in container: ${errorMessage(err)}`,
    };
  }
  resize?.end();
  // Everything the command wrote goes out before its status.
  for (const w of [stdout, stderr]) {
    if (!w) continue;
    if (!w.writableEnded) w.end();
    await finished(w).catch(() => {});
  }
  if (stream.closed) return;
  await stream.write(StreamChannel.Error, Buffer.from(JSON.stringify(status)));
}

async function servePortForward(
  o: StreamHandlerOptions,
  stream: HubStream,
  p: PortForwardStreamParams,
): Promise<void> {
  // The connection as the runtime sees it: it reads what the client sends and writes what the port answers.
  const conn = new Duplex({
    read() {
      stream.resume();
    },
    write(chunk: Buffer, _encoding, callback) {
      stream.write(StreamChannel.Data, chunk).then(() => callback(), callback);
    },
    final(callback) {
      callback();
    },
  });
  conn.on('error', () => {});
  stream.on('data', (channel, payload) => {
    if (channel === StreamChannel.Data) {
      if (!conn.push(payload)) stream.pause();
    } else if (channel === StreamChannel.Close && payload[0] === StreamChannel.Data) {
      conn.push(null);
    }
  });
  stream.once('close', () => conn.destroy());

  const sandbox = await o.lookup.findSandbox(p.namespace, p.pod);
  await stream.write(StreamChannel.Ready, READY);
  try {
    await o.runtime.portForward(sandbox, p.port, conn);
  } catch (err) {
    if (!stream.closed) await stream.write(StreamChannel.Error, Buffer.from(errorMessage(err)));
    return;
  }
  // The runtime may resolve once connected: the stream lasts until the port side is done.
  await finished(conn, { readable: false }).catch(() => {});
}
