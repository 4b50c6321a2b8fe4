/**
 * Client side of the CRI streaming server (the URL that Exec/Attach return) over
 * WebSocket with the Kubernetes channel protocol `v4.channel.k8s.io`, which
 * containerd's streaming server (pkg/cri/streaming, from the kubelet) accepts
 * beside SPDY/3.1. Every binary message starts with a channel byte:
 *   0 stdin (client -> server), 1 stdout, 2 stderr, 3 error (a metav1.Status as
 *   JSON once the command ends), 4 resize (`{"Width":w,"Height":h}`).
 * The server first sends an empty message on each channel; those carry nothing.
 *
 * Limitation of v4: there is no way to half-close stdin (v5.channel.k8s.io added
 * one; containerd 1.6 does not speak it). When `stdin` ends, nothing is sent; a
 * command that waits for EOF on stdin runs until it exits by itself, the
 * timeout, or the abort signal, which close the connection.
 */
import { WebSocket, type RawData } from 'ws';
import type { ExecOptions, ExecResult, StreamOptions } from '../types.ts';

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const RESIZE = 4;

/** What the error channel carries (metav1.Status, the fields that matter). */
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

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function run(url: string, options: StreamOptions, timeoutMs = 0): Promise<Outcome> {
  const wsUrl = url.replace(/^http/, 'ws');
  const ws = new WebSocket(wsUrl, ['v4.channel.k8s.io']);
  return new Promise<Outcome>((resolve, reject) => {
    let status: StreamStatus | null = null;
    let cut: Outcome['cut'] = null;
    let opened = false;
    const timer = timeoutMs > 0 ? setTimeout(() => end('timeout'), timeoutMs) : undefined;
    const onAbort = () => end('abort');
    options.signal?.addEventListener('abort', onAbort, { once: true });

    function end(why: 'timeout' | 'abort') {
      cut ??= why;
      ws.close();
      // A peer that does not answer the close still ends it.
      setTimeout(() => ws.terminate(), 1000).unref();
    }
    function cleanup() {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      options.stdin?.off('data', onStdin);
    }
    function send(channel: number, data: Buffer | string) {
      if (ws.readyState !== WebSocket.OPEN) return;
      ws.send(Buffer.concat([Buffer.from([channel]), Buffer.from(data)]));
    }
    function onStdin(chunk: Buffer | string) {
      send(STDIN, chunk);
    }

    ws.on('open', () => {
      opened = true;
      if (options.stdin) options.stdin.on('data', onStdin);
      if (options.tty && options.resize) {
        void (async () => {
          for await (const size of options.resize!) {
            if (ws.readyState !== WebSocket.OPEN) break;
            send(RESIZE, JSON.stringify({ Width: size.width, Height: size.height }));
          }
        })().catch(() => {});
      }
    });
    ws.on('message', (raw) => {
      const data = toBuffer(raw);
      if (data.length < 2) return;
      const payload = data.subarray(1);
      switch (data[0]) {
        case STDOUT:
          options.stdout?.write(payload);
          break;
        case STDERR:
          (options.tty ? options.stdout : options.stderr)?.write(payload);
          break;
        case ERROR:
          try {
            status = JSON.parse(payload.toString('utf8')) as StreamStatus;
          } catch {
            status = { status: 'Failure', message: payload.toString('utf8') };
          }
          break;
      }
    });
    ws.on('error', (err) => {
      cleanup();
      if (!opened && cut === null)
        reject(new Error(`cri stream ${wsUrl}: ${err.message}`, { cause: err }));
      else resolve({ status, cut });
    });
    ws.on('close', () => {
      cleanup();
      resolve({ status, cut });
    });
  });
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
