/**
 * Client side of the CRI streaming server (the URL that Exec/Attach return):
 * the Kubernetes remote command protocol `v4.channel.k8s.io` over SPDY/3.1
 * (./spdy.ts), as the kubelet's clients speak it. One SPDY stream per role:
 *   error  - a metav1.Status as JSON once the command ends (exit code inside)
 *   stdin  - half-closed (FIN) when the caller's stdin ends: the command sees EOF
 *   stdout, stderr - output (with a tty, stdout only)
 *   resize - `{"Width":w,"Height":h}` messages (tty only)
 * The server expects exactly the streams the Exec/Attach request announced, so
 * the driver builds that request from the same options (see index.ts).
 * The server closes the connection after writing the status.
 *
 * (containerd's streaming server also accepts WebSocket with the same v4
 * channels, but v4 over WebSocket cannot end stdin, so a command reading to
 * EOF would never finish.)
 */
import type { Duplex } from 'node:stream';
import type { ExecOptions, ExecResult, StreamOptions } from '../types.ts';
import { connectSpdy, type SpdyStream } from './spdy.ts';

const PROTOCOL = 'v4.channel.k8s.io';

/** What the error stream carries (metav1.Status, the fields that matter). */
interface StreamStatus {
  status?: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { causes?: { reason?: string; message?: string }[] };
}

interface Outcome {
  status: StreamStatus | null;
  /** The timeout or the abort signal ended it. */
  cut: 'timeout' | 'abort' | null;
}

async function run(url: string, options: StreamOptions, timeoutMs = 0): Promise<Outcome> {
  const session = await connectSpdy(url, [PROTOCOL], options.signal);
  const open = (type: string): SpdyStream => session.openStream({ streamType: type });
  const errorStream = open('error');
  const stdin = options.stdin ? open('stdin') : undefined;
  const stdout = options.stdout ? open('stdout') : undefined;
  const stderr = options.stderr && !options.tty ? open('stderr') : undefined;
  const resize = options.tty ? open('resize') : undefined;

  const errorChunks: Buffer[] = [];
  errorStream.on('data', (chunk) => errorChunks.push(chunk));
  stdout?.on('data', (chunk) => options.stdout?.write(chunk));
  stderr?.on('data', (chunk) => options.stderr?.write(chunk));

  const source = options.stdin;
  const onStdin = (chunk: Buffer | string) => {
    if (!stdin!.write(Buffer.from(chunk))) {
      source?.pause();
      session.socket.once('drain', () => source?.resume());
    }
  };
  const onStdinEnd = () => stdin!.end();
  if (source && stdin) {
    source.on('data', onStdin);
    source.once('end', onStdinEnd);
  }
  if (resize && options.resize) {
    void (async () => {
      for await (const size of options.resize!) {
        if (session.socket.destroyed) break;
        resize.write(Buffer.from(JSON.stringify({ Width: size.width, Height: size.height })));
      }
    })().catch(() => {});
  }

  let cut: Outcome['cut'] = null;
  const end = (why: 'timeout' | 'abort') => {
    cut ??= why;
    session.close();
  };
  const timer = timeoutMs > 0 ? setTimeout(() => end('timeout'), timeoutMs) : undefined;
  const onAbort = () => end('abort');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (session.socket.destroyed) onAbort();

  await new Promise<void>((resolve) => session.once('close', resolve));
  clearTimeout(timer);
  options.signal?.removeEventListener('abort', onAbort);
  source?.off('data', onStdin);
  source?.off('end', onStdinEnd);

  const text = Buffer.concat(errorChunks).toString('utf8').trim();
  let status: StreamStatus | null = null;
  if (text) {
    try {
      status = JSON.parse(text) as StreamStatus;
    } catch {
      status = { status: 'Failure', message: text };
    }
  }
  return { status, cut };
}

/** The exit code from the v4 status: Success is 0, NonZeroExitCode names it. */
function exitCodeOf(status: StreamStatus | null): number {
  if (!status || status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  const code = cause?.message === undefined ? NaN : Number.parseInt(cause.message, 10);
  if (Number.isInteger(code)) return code;
  throw new Error(`cri exec: ${status.message ?? status.reason ?? 'failed'}`);
}

export async function streamExec(url: string, options: ExecOptions): Promise<ExecResult> {
  const { status, cut } = await run(url, options, options.timeoutMs ?? 0);
  if (cut === 'timeout') return { exitCode: 137, timedOut: true };
  if (cut === 'abort') options.signal?.throwIfAborted();
  return { exitCode: exitCodeOf(status), timedOut: false };
}

export async function streamAttach(url: string, options: StreamOptions): Promise<void> {
  const { status, cut } = await run(url, options);
  if (cut === null && status?.status === 'Failure' && status.reason !== 'NonZeroExitCode') {
    throw new Error(`cri attach: ${status.message ?? status.reason ?? 'failed'}`);
  }
}

/**
 * Port forwarding (`portforward.k8s.io` over SPDY): one request = an error
 * stream and a data stream with the same `requestID`. The runtime dials
 * localhost:`port` inside the sandbox's network namespace, so servers bound to
 * the pod's loopback are reachable too. Resolves when both directions are done.
 */
export async function streamPortForward(url: string, port: number, local: Duplex): Promise<void> {
  const session = await connectSpdy(url, ['portforward.k8s.io']);
  const headers = { port: String(port), requestID: '0' };
  const errorStream = session.openStream({ streamType: 'error', ...headers });
  const data = session.openStream({ streamType: 'data', ...headers });
  const errorChunks: Buffer[] = [];
  errorStream.on('data', (chunk) => errorChunks.push(chunk));

  data.on('data', (chunk) => {
    if (!local.write(chunk)) session.socket.pause();
  });
  local.on('drain', () => session.socket.resume());
  local.on('data', (chunk: Buffer) => {
    if (!data.write(chunk)) {
      local.pause();
      session.socket.once('drain', () => local.resume());
    }
  });
  const localEnded = new Promise<void>((resolve) => {
    local.once('end', () => {
      data.end();
      resolve();
    });
    local.once('close', resolve);
  });
  const remoteEnded = new Promise<void>((resolve) => {
    data.once('end', () => {
      local.end();
      resolve();
    });
  });
  const closed = new Promise<void>((resolve) => session.once('close', resolve));
  local.once('error', () => session.close());
  await Promise.race([Promise.all([localEnded, remoteEnded]), closed]);
  session.close();
  const message = Buffer.concat(errorChunks).toString('utf8').trim();
  if (message) {
    local.destroy();
    throw new Error(`cri port-forward ${port}: ${message}`);
  }
}
