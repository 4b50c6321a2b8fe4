import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { createLogger } from '../util/log.ts';
import { ApiServer } from '../apiserver/server.ts';
import { EdgeAgent } from '../edge/agent.ts';
import { certificateHash, TokenStore } from '../pki/index.ts';
import { parseFlags, type Command } from './command.ts';
import { createHub } from './hub.ts';
import { parsePort } from './server.ts';
import { shutdownSignal } from './signals.ts';

const HELP = `Usage: verge up [--data-dir DIR] [--api-port PORT] [--hub-port PORT] [--no-edge]

Starts Verge on this machine for a first look: the control plane (Kubernetes API
server, controllers and the hub) and an edge agent for this machine that joins
it as a node, with all data in ./.verge (kept across runs).

Options:
  --data-dir DIR    where state lives (default ./.verge)
  --api-port PORT   Kubernetes API port (default 6443)
  --hub-port PORT   port edge nodes connect to (default 10000)
  --node-name NAME  this machine's node name (default: the hostname)
  --no-edge         run the control plane only
  -h, --help        this help`;

export const upCommand: Command = {
  async run(args) {
    const flags = parseFlags(
      'up',
      args,
      {
        'data-dir': { type: 'string' },
        'api-port': { type: 'string' },
        'hub-port': { type: 'string' },
        'node-name': { type: 'string' },
        'no-edge': { type: 'boolean' },
      },
      HELP,
    );
    if (!flags) return 0;
    const v = flags.values;
    const dataDir = resolve(v['data-dir'] ?? '.verge');
    // Earlier versions kept the server's files directly in DIR.
    const serverDir = existsSync(join(dataDir, 'store.db')) ? dataDir : join(dataDir, 'server');
    const edgeDir = join(dataDir, 'edge');
    const log = createLogger({ level: process.env.VERGE_LOG_LEVEL ?? 'warn' });
    const server = await ApiServer.create({
      dataDir: serverDir,
      apiPort: parsePort(v['api-port'], '--api-port', 6443),
      log,
    });
    const { hub, close } = createHub(server, {
      host: '127.0.0.1',
      port: parsePort(v['hub-port'], '--hub-port', 10000),
      dataDir: serverDir,
      log,
    });
    const signal = shutdownSignal((name) => console.log(`verge up: ${name} received, stopping`));
    const running = server.start(signal);
    const announce = server.ready.then(async () => {
      await hub.start(signal);
      console.log(`verge up: control plane ready at ${server.url}`);
      console.log(`verge up: export KUBECONFIG=${server.kubeconfigPath}`);
      console.log(
        'verge up: then try: kubectl get nodes; kubectl create deployment web --image=nginx',
      );
      if (v['no-edge']) return;
      const nodeName = (v['node-name'] ?? hostname()).toLowerCase();
      let token: string | undefined;
      if (!existsSync(join(edgeDir, 'pki', 'node.pem'))) {
        const tokens = TokenStore.open(serverDir);
        try {
          token = tokens.create({
            caHash: certificateHash(server.caPem),
            node: nodeName,
            uses: 1,
            ttlMs: 10 * 60_000,
            description: 'verge up: this machine',
          }).token;
        } finally {
          tokens.close();
        }
      }
      const agent = new EdgeAgent({
        server: `https://127.0.0.1:${hub.port}`,
        token,
        nodeName,
        dataDir: edgeDir,
        log,
        say: (line) => console.log(`verge up: edge ${nodeName}: ${line}`),
      });
      void agent.run(signal).catch((err: unknown) => {
        console.error(`verge up: the edge agent stopped: ${(err as Error).message}`);
      });
    });
    await Promise.race([running, announce]);
    await running;
    close();
    return 0;
  },
};
