/**
 * Which container runtime the edge agent uses. An explicit choice is honoured
 * or fails (a `cri` runtime that does not answer is an error at start, not a
 * silent fallback); with no choice, the CRI socket is used when it answers
 * Version within the probe timeout, else the host `process` driver. `why` says
 * which and why, for the agent's start-up log and `verge edge` messages.
 */
import { existsSync } from 'node:fs';
import type { Logger } from '../../util/log.ts';
import { errorMessage } from '../../util/errors.ts';
import type { CriRuntime } from './cri/index.ts';
import { ProcessRuntime } from './process/index.ts';
import { DEFAULT_CRI_ENDPOINT, type Runtime } from './types.ts';

export interface ChooseRuntimeOptions {
  /** Forces a driver; default: detect (cri if its socket answers, else process). */
  runtime?: 'process' | 'cri';
  /** CRI endpoint; default `unix:///run/containerd/containerd.sock`. */
  criEndpoint?: string;
  /** State directory of the process driver. */
  stateDir: string;
  log: Logger;
  /** How long the CRI socket gets to answer Version. Default 2000 ms. */
  probeTimeoutMs?: number;
}

export interface ChosenRuntime {
  runtime: Runtime;
  why: string;
}

function socketPath(endpoint: string): string | undefined {
  if (endpoint.startsWith('unix://')) return endpoint.slice('unix://'.length);
  return endpoint.includes('://') ? undefined : endpoint;
}

/** Answers Version within `timeoutMs`: the runtime, or the reason it did not. */
async function probeCri(
  endpoint: string,
  timeoutMs: number,
): Promise<{ runtime: CriRuntime; version: string } | { error: string }> {
  const path = socketPath(endpoint);
  if (path !== undefined && !existsSync(path)) return { error: `${path} does not exist` };
  // Loaded only when there is a socket to try: gRPC costs memory a process-runtime node does without.
  const { CriRuntime } = await import('./cri/index.ts');
  const runtime = new CriRuntime({ endpoint });
  try {
    const v = await runtime.version(timeoutMs);
    return {
      runtime,
      version: `${v.runtimeName} ${v.runtimeVersion} (CRI ${v.runtimeApiVersion})`,
    };
  } catch (err) {
    await runtime.close();
    return { error: errorMessage(err) };
  }
}

export async function chooseRuntime(options: ChooseRuntimeOptions): Promise<ChosenRuntime> {
  const endpoint = options.criEndpoint ?? DEFAULT_CRI_ENDPOINT;

  const timeoutMs = options.probeTimeoutMs ?? 2000;
  const processRuntime = (): Runtime =>
    new ProcessRuntime({ stateDir: options.stateDir, log: options.log });

  if (options.runtime === 'process') {
    return { runtime: processRuntime(), why: 'process driver chosen explicitly' };
  }
  const probe = await probeCri(endpoint, timeoutMs);
  if (options.runtime === 'cri') {
    if ('error' in probe) {
      throw new Error(`the cri runtime was chosen but ${endpoint} does not answer: ${probe.error}`);
    }
    return {
      runtime: probe.runtime,
      why: `cri chosen explicitly: ${probe.version} at ${endpoint}`,
    };
  }
  if ('error' in probe) {
    return {
      runtime: processRuntime(),
      why: `no CRI runtime at ${endpoint} (${probe.error}); using the process driver`,
    };
  }
  return { runtime: probe.runtime, why: `${probe.version} answers at ${endpoint}` };
}
