import { resolve } from 'node:path';
import { InvalidError } from '../util/errors.ts';
import { parseDuration } from '../util/duration.ts';
import { createLogger } from '../util/log.ts';
import { ApiServer } from '../apiserver/server.ts';
import { createHub } from './hub.ts';
import { HubPodConnector, lateStreamOpener } from '../hub/cloud/connector.ts';
import { parseFlags, type Command } from './command.ts';
import { shutdownSignal } from './signals.ts';

const HELP = `Usage: verge server --data-dir DIR [options]

Runs the Verge control plane: a Kubernetes API server backed by an embedded
SQLite store. The first start creates a CA, a serving certificate and an admin
kubeconfig (DIR/kubeconfig.yaml); later starts reuse them and keep every object.

Options:
  --data-dir DIR        where state, certificates and the kubeconfig live (required)
  --listen-host HOST    address to listen on (default 127.0.0.1)
  --api-port PORT       Kubernetes API port (default 6443; 0 picks a free one)
  --tls-san NAME        extra DNS name or IP for the serving certificate (repeatable)
  --token-auth-file F   static bearer tokens: lines of token,user,uid,"group1,group2"
  --service-cidr CIDR   service cluster IP range (default 10.43.0.0/16)
  --history-min-age D   keep at least this much change history (default 5m)
  --history-min-revisions N
                        keep at least this many revisions of history (default 10000)
  --compaction-interval D
                        how often old history is compacted (default 1m)
  --max-requests-inflight N
                        concurrent non-watch requests before 429 (default 400)
      --request-timeout D   non-watch requests are answered 504 after this (default 60s)
  --node-monitor-grace-period D
                        a node silent this long is marked Unknown (default 40s)
    --disable-controllers run the API server alone (no scheduler or controllers)
  --hub-port PORT       port edge nodes join and connect to (default 10000; 0 picks one)
    --hub-heartbeat D     how often edges send a heartbeat (default 10s)
  --hub-max-syncing N   nodes in their initial sync at once; more are told to
                        retry later (default 100)
  --node-cert-validity D
                        lifetime of node certificates (default 365d)
  -h, --help            this help`;

export function parsePort(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535)
    throw new InvalidError(`${flag}: not a port number: ${JSON.stringify(value)}`);
  return n;
}

function parseCount(value: string, flag: string): number {
  if (!/^\d+$/.test(value))
    throw new InvalidError(`${flag}: not a whole number: ${JSON.stringify(value)}`);
  return Number(value);
}

export const serverCommand: Command = {
  async run(args) {
    const flags = parseFlags(
      'server',
      args,
      {
        'data-dir': { type: 'string' },
        'listen-host': { type: 'string' },
        'api-port': { type: 'string' },
        'tls-san': { type: 'string', multiple: true },
        'token-auth-file': { type: 'string' },
        'service-cidr': { type: 'string' },
        'history-min-age': { type: 'string' },
        'history-min-revisions': { type: 'string' },
        'compaction-interval': { type: 'string' },
        'max-requests-inflight': { type: 'string' },
        'request-timeout': { type: 'string' },
        'node-monitor-grace-period': { type: 'string' },
        'disable-controllers': { type: 'boolean' },
        'hub-port': { type: 'string' },
        'hub-heartbeat': { type: 'string' },
        'hub-max-syncing': { type: 'string' },
        'node-cert-validity': { type: 'string' },
      },
      HELP,
    );
    if (!flags) return 0;
    const v = flags.values;
    if (!v['data-dir']) throw new InvalidError(`server: --data-dir is required\n\n${HELP}`);
    const log = createLogger();
    const dataDir = resolve(v['data-dir']);
    // The hub is built from the server, so the connector is bound to it below.
    const hubStreams = lateStreamOpener();
    const server = await ApiServer.create({
      dataDir,
      connector: new HubPodConnector(hubStreams, { log }),
      listenHost: v['listen-host'],
      apiPort: parsePort(v['api-port'], '--api-port', 6443),
      tlsSans: v['tls-san'],
      tokenAuthFile: v['token-auth-file'],
      serviceCidr: v['service-cidr'],
      compaction: {
        minRetainMs:
          v['history-min-age'] === undefined
            ? undefined
            : parseDuration(v['history-min-age'], '--history-min-age'),
        minRetainRevisions:
          v['history-min-revisions'] === undefined
            ? undefined
            : parseCount(v['history-min-revisions'], '--history-min-revisions'),
        intervalMs:
          v['compaction-interval'] === undefined
            ? undefined
            : parseDuration(v['compaction-interval'], '--compaction-interval'),
      },
      limits: {
        maxInflight:
          v['max-requests-inflight'] === undefined
            ? undefined
            : parseCount(v['max-requests-inflight'], '--max-requests-inflight'),
        requestTimeoutMs:
          v['request-timeout'] === undefined
            ? undefined
            : parseDuration(v['request-timeout'], '--request-timeout'),
      },
      controllers: !v['disable-controllers'],
      controllerOptions: {
        nodeMonitorGracePeriodMs:
          v['node-monitor-grace-period'] === undefined
            ? undefined
            : parseDuration(v['node-monitor-grace-period'], '--node-monitor-grace-period'),
      },
      log,
    });
    const signal = shutdownSignal((name) =>
      console.log(`verge server: ${name} received, stopping`),
    );
    const hubPort = parsePort(v['hub-port'], '--hub-port', 10000);
    const { hub, close: closeHub } = createHub(server, {
      host: v['listen-host'] ?? '127.0.0.1',
      port: hubPort,
      dataDir,
      log,
      heartbeatSeconds:
        v['hub-heartbeat'] === undefined
          ? undefined
          : Math.max(1, Math.round(parseDuration(v['hub-heartbeat'], '--hub-heartbeat') / 1000)),
      maxConcurrentSyncs:
        v['hub-max-syncing'] === undefined
          ? undefined
          : parseCount(v['hub-max-syncing'], '--hub-max-syncing'),
      certificateValidityDays:
        v['node-cert-validity'] === undefined
          ? undefined
          : parseDuration(v['node-cert-validity'], '--node-cert-validity') / 86_400_000,
    });
    hubStreams.bind(hub);
    const running = server.start(signal);
    // Tell the user where things are once serving; the hub starts once the API is ready.
    const announce = server.ready.then(async () => {
      await hub.start(signal);
      const host = v['listen-host'] ?? '127.0.0.1';
      console.log(`verge server: kubeconfig written to ${server.kubeconfigPath}`);
      console.log(
        `verge server: hub listening on https://${host}:${hub.port} (nodes join with a token from: verge token create --data-dir ${dataDir})`,
      );
      console.log(
        `verge server: ready at ${server.url} (try: kubectl --kubeconfig ${server.kubeconfigPath} get nodes)`,
      );
    });
    await Promise.race([running, announce]);
    await running;
    closeHub();
    console.log('verge server: stopped');
    return 0;
  },
};
