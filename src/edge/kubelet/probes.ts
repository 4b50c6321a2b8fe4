/**
 * Startup, liveness and readiness probes of one running container instance,
 * with the kubelet's semantics: startup gates the other two; a probe attempt
 * that does not answer within `timeoutSeconds` (default 1) counts as a failure;
 * liveness and startup report failure after `failureThreshold` (default 3)
 * consecutive failures; readiness starts false and flips after
 * `successThreshold` (default 1) successes or `failureThreshold` failures.
 *
 * Timers run on the injected clock (including attempt timeouts), so tests move
 * time instead of sleeping. gRPC probes are not supported: they always succeed
 * (logged once).
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import type { Container, Probe } from '../../api/types/core.ts';
import type { Clock, Timer } from '../../util/clock.ts';
import { errorMessage } from '../../util/errors.ts';
import type { Runtime } from '../runtime/types.ts';

export type ProbeKind = 'Startup' | 'Liveness' | 'Readiness';

export interface ProberOptions {
  runtime: Runtime;
  clock: Clock;
  container: Container;
  containerId: string;
  /** When the instance started (ms since the epoch): initialDelaySeconds counts from here. */
  startedAt: number;
  /** Where httpGet and tcpSocket probes connect when they name no host. */
  podIP: string;
  /** A result changed `started` or `ready`: the pod's status must be recomputed. */
  onChange(): void;
  /** Liveness or startup failed `failureThreshold` times: the container must be restarted. */
  onFailure(kind: 'Liveness' | 'Startup'): void;
  event(type: 'Warning', reason: string, message: string): void;
  warnOnce(message: string): void;
  /**
   * What the last reported status said of this instance (an agent restart
   * adopting a running container): a started container does not run its
   * startup probe again, and a ready one stays ready until a probe fails.
   */
  initial?: { started: boolean; ready: boolean };
}

interface Outcome {
  result: 'success' | 'failure' | 'error';
  output: string;
}

/** Whether `container` has any probe (no prober is needed otherwise). */
export function hasProbes(c: Container): boolean {
  return Boolean(c.startupProbe || c.livenessProbe || c.readinessProbe);
}

export class ContainerProber {
  /** Startup probe passed (or there is none). */
  started: boolean;
  /** Readiness probe passed (or there is none: then ready once started). */
  ready: boolean;
  readonly #o: ProberOptions;
  readonly #timers = new Set<Timer>();
  readonly #aborts = new Set<AbortController>();
  #stopped = false;

  constructor(o: ProberOptions) {
    this.#o = o;
    this.started = !o.container.startupProbe || o.initial?.started === true;
    this.ready = !o.container.readinessProbe || (this.started && o.initial?.ready === true);
  }

  start(): void {
    const c = this.#o.container;
    if (c.startupProbe && !this.started) this.#loop('Startup', c.startupProbe);
    else this.#startOthers();
  }

  /** Cancels timers and attempts in flight; idempotent. */
  stop(): void {
    this.#stopped = true;
    for (const t of this.#timers) t.cancel();
    this.#timers.clear();
    for (const a of this.#aborts) a.abort();
    this.#aborts.clear();
  }

  #startOthers(): void {
    const c = this.#o.container;
    if (c.livenessProbe) this.#loop('Liveness', c.livenessProbe);
    if (c.readinessProbe) this.#loop('Readiness', c.readinessProbe);
  }

  #after(ms: number, fn: () => void): void {
    if (this.#stopped) return;
    const t = this.#o.clock.after(ms, () => {
      this.#timers.delete(t);
      fn();
    });
    this.#timers.add(t);
  }

  #loop(kind: ProbeKind, probe: Probe): void {
    const period = (probe.periodSeconds ?? 10) * 1000;
    const failureThreshold = probe.failureThreshold ?? 3;
    const successThreshold = kind === 'Readiness' ? (probe.successThreshold ?? 1) : 1;
    let failures = 0;
    let successes = 0;
    const tick = async (): Promise<void> => {
      if (this.#stopped) return;
      const { result, output } = await this.#run(probe);
      if (this.#stopped) return;
      if (result === 'success') {
        failures = 0;
        successes++;
        if (kind === 'Startup') {
          this.started = true;
          this.#o.onChange();
          this.#startOthers();
          return;
        }
        if (kind === 'Readiness' && !this.ready && successes >= successThreshold) {
          this.ready = true;
          this.#o.onChange();
        }
      } else {
        successes = 0;
        failures++;
        const verb = result === 'error' ? 'errored' : 'failed';
        this.#o.event('Warning', 'Unhealthy', `${kind} probe ${verb}: ${output}`);
        if (failures >= failureThreshold) {
          if (kind === 'Readiness') {
            if (this.ready) {
              this.ready = false;
              this.#o.onChange();
            }
          } else {
            this.#o.onFailure(kind);
            return;
          }
        }
      }
      this.#after(period, () => void tick());
    };
    const delay = this.#o.startedAt + (probe.initialDelaySeconds ?? 0) * 1000 - this.#o.clock.now();
    this.#after(Math.max(0, delay), () => void tick());
  }

  /** One attempt, bounded by the probe's timeout on the injected clock. */
  async #run(probe: Probe): Promise<Outcome> {
    const timeoutMs = Math.max(1, probe.timeoutSeconds ?? 1) * 1000;
    const abort = new AbortController();
    this.#aborts.add(abort);
    let timer: Timer | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = this.#o.clock.after(timeoutMs, () => {
        resolve('timeout');
        abort.abort();
      });
    });
    try {
      const attempt = this.#attempt(probe, timeoutMs, abort.signal);
      const r = await Promise.race([attempt, timedOut]);
      if (r !== 'timeout') return r;
      void attempt.catch(() => {});
      return this.#timeoutOutcome(probe, timeoutMs);
    } catch (err) {
      return { result: 'error', output: errorMessage(err) };
    } finally {
      timer?.cancel();
      this.#aborts.delete(abort);
    }
  }

  #timeoutOutcome(probe: Probe, timeoutMs: number): Outcome {
    const s = `${timeoutMs / 1000}s`;
    if (probe.exec) {
      const cmd = (probe.exec.command ?? []).join(' ');
      return { result: 'error', output: `command "${cmd}" timed out: timeout ${s} exceeded` };
    }
    if (probe.httpGet) {
      return {
        result: 'failure',
        output: `Get "${this.#url(probe)}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
      };
    }
    if (probe.tcpSocket) {
      const { host, port } = this.#hostPort(probe.tcpSocket.host, probe.tcpSocket.port);
      return { result: 'failure', output: `dial tcp ${host}:${port}: i/o timeout` };
    }
    return { result: 'failure', output: `timeout ${s} exceeded` };
  }

  async #attempt(probe: Probe, timeoutMs: number, signal: AbortSignal): Promise<Outcome> {
    if (probe.exec) {
      let output = '';
      const sink = new Writable({
        write(chunk: Buffer, _enc, cb) {
          if (output.length < 10240) output += chunk.toString('utf8');
          cb();
        },
      });
      const r = await this.#o.runtime.exec(this.#o.containerId, {
        cmd: probe.exec.command ?? [],
        tty: false,
        stdout: sink,
        stderr: sink,
        timeoutMs,
        signal,
      });
      if (r.timedOut) return this.#timeoutOutcome(probe, timeoutMs);
      return { result: r.exitCode === 0 ? 'success' : 'failure', output: output.trim() };
    }
    if (probe.httpGet) return this.#http(probe, signal);
    if (probe.tcpSocket) return this.#tcp(probe.tcpSocket.host, probe.tcpSocket.port, signal);
    if (probe.grpc) {
      this.#o.warnOnce(
        `container ${this.#o.container.name}: gRPC probes are not supported by verge edge; treated as succeeding`,
      );
    }
    return { result: 'success', output: '' };
  }

  #hostPort(host: string | undefined, port: number | string): { host: string; port: number } {
    let p: number;
    if (typeof port === 'number') p = port;
    else if (/^[0-9]+$/.test(port)) p = Number(port);
    else {
      const named = this.#o.container.ports?.find((x) => x.name === port);
      if (!named) throw new Error(`unable to find port ${JSON.stringify(port)} in container`);
      p = named.containerPort;
    }
    return { host: host || this.#o.podIP || '127.0.0.1', port: p };
  }

  #url(probe: Probe): string {
    const g = probe.httpGet!;
    const { host, port } = this.#hostPort(g.host, g.port);
    const scheme = (g.scheme ?? 'HTTP').toLowerCase();
    const path = g.path ? (g.path.startsWith('/') ? g.path : `/${g.path}`) : '/';
    const h = host.includes(':') ? `[${host}]` : host;
    return `${scheme}://${h}:${port}${path}`;
  }

  #http(probe: Probe, signal: AbortSignal): Promise<Outcome> {
    const url = this.#url(probe);
    const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.33', Accept: '*/*' };
    for (const h of probe.httpGet!.httpHeaders ?? []) headers[h.name] = h.value;
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    return new Promise<Outcome>((resolve) => {
      const req = send(
        url,
        { method: 'GET', headers, signal, rejectUnauthorized: false },
        (res) => {
          res.resume();
          const code = res.statusCode ?? 0;
          if (code >= 200 && code < 400) resolve({ result: 'success', output: '' });
          else resolve({ result: 'failure', output: `HTTP probe failed with statuscode: ${code}` });
        },
      );
      req.on('error', (err) =>
        resolve({ result: 'failure', output: `Get "${url}": ${err.message}` }),
      );
      req.end();
    });
  }

  #tcp(hostIn: string | undefined, portIn: number | string, signal: AbortSignal): Promise<Outcome> {
    const { host, port } = this.#hostPort(hostIn, portIn);
    return new Promise<Outcome>((resolve) => {
      const sock = connect({ host, port, signal });
      sock.once('connect', () => {
        sock.destroy();
        resolve({ result: 'success', output: '' });
      });
      sock.once('error', (err) =>
        resolve({ result: 'failure', output: `dial tcp ${host}:${port}: ${err.message}` }),
      );
    });
  }
}
