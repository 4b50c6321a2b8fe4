import { resolve } from 'node:path';
import { createLogger } from '../util/log.ts';
import { ApiServer } from '../apiserver/server.ts';
import { parseFlags, type Command } from './command.ts';
import { parsePort } from './server.ts';
import { shutdownSignal } from './signals.ts';

const HELP = `Usage: verge up [--data-dir DIR] [--api-port PORT]

Starts Verge on this machine for a first look: the control plane (Kubernetes API
server) with its data in ./.verge (kept across runs). Edge nodes and the
simulated device join it as those parts land; today it runs the control plane.

Options:
  --data-dir DIR    where state lives (default ./.verge)
  --api-port PORT   Kubernetes API port (default 6443)
  -h, --help        this help`;

export const upCommand: Command = {
  name: 'up',
  summary: 'run Verge locally for a first look (control plane; edge node and device to come)',
  async run(args) {
    const flags = parseFlags(
      'up',
      args,
      { 'data-dir': { type: 'string' }, 'api-port': { type: 'string' } },
      HELP,
    );
    if (!flags) return 0;
    const dataDir = resolve(flags.values['data-dir'] ?? '.verge');
    const server = await ApiServer.create({
      dataDir,
      apiPort: parsePort(flags.values['api-port'], '--api-port', 6443),
      log: createLogger({ level: 'warn' }),
    });
    const signal = shutdownSignal((name) => console.log(`verge up: ${name} received, stopping`));
    const running = server.start(signal);
    const announce = server.ready.then(() => {
      console.log(`verge up: control plane ready at ${server.url}`);
      console.log(`verge up: export KUBECONFIG=${server.kubeconfigPath}`);
      console.log(
        'verge up: then try: kubectl get namespaces; kubectl create deployment web --image=nginx',
      );
      console.log(
        'verge up: edge nodes and the simulated device are not part of up yet (see README status); Ctrl-C stops',
      );
    });
    await Promise.race([running, announce]);
    await running;
    return 0;
  },
};
