import { resolve } from 'node:path';
import { hostname } from 'node:os';
import { EdgeAgent } from '../edge/agent.ts';
import { parseLabels, parseTaints } from '../edge/node-status.ts';
import { parseDuration } from '../util/duration.ts';
import { InvalidError } from '../util/errors.ts';
import { createLogger } from '../util/log.ts';
import { parseFlags, type Command } from './command.ts';
import { shutdownSignal } from './signals.ts';

const HELP = `Usage: verge edge --server https://HOST:PORT --data-dir DIR [options]

Runs the edge agent: joins the cluster (first start, with a token), keeps this
node's objects in a local store under DIR, registers the Node and reports its
status, runs the pods bound to it, and keeps working when the cloud is
unreachable. Pods keep running when the agent stops; a new start adopts them.

Options:
  --server URL          the server's hub endpoint, https://HOST:PORT (port from
                        verge server --hub-port, default 10000) (required)
  --token TOKEN         join token from \`verge token create\` (first start only)
  --node-name NAME      this node's name (default: the hostname)
  --data-dir DIR        where the certificate and local store live (required)
  --labels K=V,...      labels for the Node at registration
  --taints K=V:EFFECT,...
                        taints for the Node at registration
  --status-interval D   how often node status is reported when unchanged (default 60s)
  --runtime NAME        process | cri (default: cri if --cri-endpoint answers,
                        else process). The process runtime runs each container
                        as a host process and isolates nothing.
  --cri-endpoint URL    the CRI socket (default unix:///run/containerd/containerd.sock)
  --local-api-port N    the read-only Kubernetes API for workloads on this node,
                        on 127.0.0.1 (default 10550; 0 = any free port; off = none)
  -h, --help            this help`;

export const edgeCommand: Command = {
  async run(args) {
    const flags = parseFlags(
      'edge',
      args,
      {
        server: { type: 'string' },
        token: { type: 'string' },
        'node-name': { type: 'string' },
        'data-dir': { type: 'string' },
        labels: { type: 'string' },
        taints: { type: 'string' },
        'status-interval': { type: 'string' },
        'backoff-base': { type: 'string' },
        runtime: { type: 'string' },
        'cri-endpoint': { type: 'string' },
        'local-api-port': { type: 'string' },
      },
      HELP,
    );
    if (!flags) return 0;
    const v = flags.values;
    if (!v.server) throw new InvalidError(`edge: --server is required\n\n${HELP}`);
    if (!/^https:\/\/[^/]+(:\d+)?\/?$/.test(v.server)) {
      throw new InvalidError(
        `edge: --server wants https://HOST:PORT, not ${JSON.stringify(v.server)}`,
      );
    }
    if (!v['data-dir']) throw new InvalidError(`edge: --data-dir is required\n\n${HELP}`);
    const nodeName = (v['node-name'] ?? hostname()).toLowerCase();
    let labels: Record<string, string>;
    let taints;
    try {
      labels = parseLabels(v.labels);
      taints = parseTaints(v.taints);
    } catch (err) {
      throw new InvalidError(`edge: ${(err as Error).message}`);
    }

    const runtime = v.runtime;
    if (runtime !== undefined && runtime !== 'process' && runtime !== 'cri') {
      throw new InvalidError(
        `edge: --runtime wants process or cri, not ${JSON.stringify(runtime)}`,
      );
    }
    let localApiPort: number | undefined;
    const lap = v['local-api-port'];
    if (lap === 'off') localApiPort = -1;
    else if (lap !== undefined) {
      localApiPort = Number(lap);
      if (!/^\d+$/.test(lap) || localApiPort > 65535) {
        throw new InvalidError(
          `edge: --local-api-port wants a port number or off, not ${JSON.stringify(lap)}`,
        );
      }
    }

    const agent = new EdgeAgent({
      runtime,
      criEndpoint: v['cri-endpoint'],
      localApiPort,
      server: v.server,
      token: v.token,
      nodeName,
      dataDir: resolve(v['data-dir']),
      labels,
      taints,
      log: createLogger(),
      say: (line) => console.log(`verge edge: ${line}`),
      statusIntervalMs:
        v['status-interval'] === undefined
          ? undefined
          : parseDuration(v['status-interval'], '--status-interval'),
      backoffBaseMs:
        v['backoff-base'] === undefined
          ? undefined
          : parseDuration(v['backoff-base'], '--backoff-base'),
    });
    const signal = shutdownSignal((name) => console.log(`verge edge: ${name} received, stopping`));
    await agent.run(signal);
    console.log('verge edge: stopped');
    return 0;
  },
};
