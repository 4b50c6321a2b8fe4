/**
 * A private containerd for tests and benchmarks: its own root, state, socket,
 * runc root and CNI network (a bridge named per run, a /24 of 10.88.0.0/16 not
 * routed on this host yet), with the local test images imported
 * (scripts/test-images.sh; no registry is needed). Needs root and containerd,
 * runc, the CNI plugins in /usr/lib/cni, umoci and busybox-static.
 *
 * stop() leaves nothing behind: it stops and removes every sandbox through the
 * CRI (which tears down their network), stops containerd, kills any shim that
 * still names `dir`, unmounts what is left under `dir`, deletes the bridge and
 * removes what it wrote under `dir`.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
  openSync,
  closeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { CriRuntime } from '../../src/edge/runtime/cri/index.ts';
import { eventually } from './cluster.ts';

const repoRoot = join(dirname(new URL(import.meta.url).pathname), '..', '..');
const imagesScript = join(repoRoot, 'scripts', 'test-images.sh');
const CNI_BIN_DIR = '/usr/lib/cni';

export const TEST_IMAGE = 'verge.local/busybox:1';
export const PAUSE_IMAGE = 'verge.local/pause:1';

export interface StartedContainerd {
  /** `unix://<dir>/containerd.sock`, for CriRuntime's endpoint. */
  endpoint: string;
  socket: string;
  /** Bridge interface of the pod network (deleted by stop()). */
  bridge: string;
  /** Pod subnet, e.g. 10.88.17.0/24. */
  subnet: string;
  snapshotter: 'overlayfs' | 'native';
  pid: number;
  /** containerd's own log (stderr). */
  logFile: string;
  stop(): Promise<void>;
}

function onPath(name: string): boolean {
  const dirs = (process.env.PATH ?? '').split(delimiter).concat(['/usr/sbin', '/sbin']);
  return dirs.some((dir) => {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** True when a private containerd can be started here: root and every tool. */
export function containerdAvailable(): boolean {
  if (process.getuid?.() !== 0) return false;
  const tools = ['containerd', 'ctr', 'runc', 'containerd-shim-runc-v2', 'umoci', 'busybox', 'ip'];
  return (
    tools.every(onPath) &&
    ['bridge', 'host-local', 'loopback'].every((p) => existsSync(join(CNI_BIN_DIR, p)))
  );
}

/** Can this directory hold overlay mounts? (not always, e.g. inside some containers) */
function overlayWorks(dir: string): boolean {
  const probe = join(dir, 'overlay-probe');
  const [lower, upper, work, merged] = ['l', 'u', 'w', 'm'].map((d) => join(probe, d));
  for (const d of [lower, upper, work, merged]) mkdirSync(d, { recursive: true });
  try {
    execFileSync(
      'mount',
      [
        '-t',
        'overlay',
        'overlay',
        '-o',
        `lowerdir=${lower},upperdir=${upper},workdir=${work}`,
        merged,
      ],
      { stdio: 'ignore' },
    );
    execFileSync('umount', [merged], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

/** A 10.88.N.0/24 with N not in any route of this host (other runs' bridges). */
function freeSubnet(): string {
  const routes = execFileSync('ip', ['-4', 'route', 'show'], { encoding: 'utf8' });
  const start = 1 + Math.floor(Math.random() * 250);
  for (let i = 0; i < 250; i++) {
    const n = ((start + i) % 250) + 1;
    if (!routes.includes(`10.88.${n}.`)) return `10.88.${n}.0/24`;
  }
  throw new Error('no free 10.88.N.0/24 subnet');
}

function configToml(dir: string, snapshotter: string, cniDir: string): string {
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  return `version = 2
root = "${dir}/root"
state = "${dir}/state"

[grpc]
  address = "${dir}/containerd.sock"

[ttrpc]
  address = "${dir}/containerd.sock.ttrpc"

[debug]
  level = "warn"

[${cri}]
  sandbox_image = "${PAUSE_IMAGE}"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_tls_streaming = false
  disable_tcp_service = true
  netns_mounts_under_state_dir = true
  max_container_log_line_size = 16384
  restrict_oom_score_adj = true

  [${cri}.containerd]
    snapshotter = "${snapshotter}"
    default_runtime_name = "runc"

    [${cri}.containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"

      [${cri}.containerd.runtimes.runc.options]
        Root = "${dir}/runc"

  [${cri}.cni]
    bin_dir = "${CNI_BIN_DIR}"
    conf_dir = "${cniDir}"
    max_conf_num = 1
`;
}

function cniConflist(name: string, bridge: string, subnet: string, ipamDir: string): string {
  const gateway = subnet.replace(/0\/24$/, '1');
  return JSON.stringify(
    {
      cniVersion: '0.4.0',
      name,
      plugins: [
        {
          type: 'bridge',
          bridge,
          isGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            ranges: [[{ subnet, gateway }]],
            routes: [{ dst: '0.0.0.0/0' }],
            dataDir: ipamDir,
          },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  );
}

/** Builds the image tarballs once per script version, under the OS temp dir. */
function imageCacheDir(): string {
  const hash = createHash('sha256').update(readFileSync(imagesScript)).digest('hex').slice(0, 12);
  return join(tmpdir(), `verge-test-images-${hash}`);
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Pids of processes whose command line mentions `needle` (shims name their containerd's socket). */
function pidsMentioning(needle: string, name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(name) && cmdline.includes(needle)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Mount points under `dir`, deepest first. */
function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((mp): mp is string => mp !== undefined && mp.startsWith(`${dir}/`))
    .map((mp) => mp.replace(/\\040/g, ' '))
    .sort((a, b) => b.length - a.length);
}

/**
 * Imports the test images. Retried: right after start, containerd's first
 * garbage collection can race an import (seen as `ctr: content digest ...: not
 * found`, seen twice in a dozen starts here); importing again is harmless.
 */
function importImages(socket: string, snapshotter: string): void {
  for (let attempt = 1; ; attempt++) {
    try {
      execFileSync(imagesScript, [imageCacheDir(), socket], {
        env: { ...process.env, SNAPSHOTTER: snapshotter },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      return;
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
}

export async function startContainerd(dir: string): Promise<StartedContainerd> {
  mkdirSync(dir, { recursive: true });
  const id = createHash('sha256')
    .update(`${dir}:${process.pid}:${Date.now()}`)
    .digest('hex')
    .slice(0, 6);
  const bridge = `vg${id}`;
  const subnet = freeSubnet();
  const cniDir = join(dir, 'cni');
  mkdirSync(cniDir, { recursive: true });
  writeFileSync(
    join(cniDir, '10-verge.conflist'),
    cniConflist(`verge-${id}`, bridge, subnet, join(dir, 'ipam')),
  );
  const snapshotter = overlayWorks(dir) ? 'overlayfs' : 'native';
  const configPath = join(dir, 'config.toml');
  writeFileSync(configPath, configToml(dir, snapshotter, cniDir));
  const socket = join(dir, 'containerd.sock');
  const endpoint = `unix://${socket}`;
  const logFile = join(dir, 'containerd.log');
  const logFd = openSync(logFile, 'a');
  const child = spawn('containerd', ['--config', configPath], {
    stdio: ['ignore', logFd, logFd],
    detached: false,
  });
  closeSync(logFd);
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
  spawnError.catch(() => {});

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && existsSync(socket)) {
      const runtime = new CriRuntime({ endpoint });
      try {
        for (const sandbox of await runtime.listPodSandboxes()) {
          await runtime.stopPodSandbox(sandbox.id).catch(() => {});
          await runtime.removePodSandbox(sandbox.id).catch(() => {});
        }
      } catch {
        // containerd is unwell; the kills below still clean up
      } finally {
        await runtime.close();
      }
    }
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited(child);
    clearTimeout(killer);
    // Shims of removed sandboxes exit by themselves; give them a moment, then
    // kill what is left (a shim whose containerd went away keeps running).
    await eventually(
      'shims to exit',
      () => pidsMentioning(dir, 'containerd-shim').length === 0,
      2000,
    ).catch(() => {});
    for (const pid of pidsMentioning(dir, 'containerd-shim')) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    // runc's containers of killed shims: their processes are in our runc root.
    try {
      execFileSync('runc', ['--root', join(dir, 'runc', 'k8s.io'), 'list', '-q'], {
        encoding: 'utf8',
      })
        .split('\n')
        .filter(Boolean)
        .forEach((cid) => {
          try {
            execFileSync(
              'runc',
              ['--root', join(dir, 'runc', 'k8s.io'), 'delete', '--force', cid],
              { stdio: 'ignore' },
            );
          } catch {
            // best effort
          }
        });
    } catch {
      // no runc root: nothing ran
    }
    for (const mp of mountsUnder(dir)) {
      try {
        execFileSync('umount', ['-l', mp], { stdio: 'ignore' });
      } catch {
        // already gone
      }
    }
    try {
      execFileSync('ip', ['link', 'del', bridge], { stdio: 'ignore' });
    } catch {
      // never created (no pod network was used)
    }
    for (const sub of [
      'root',
      'state',
      'runc',
      'cni',
      'ipam',
      'containerd.sock',
      'containerd.sock.ttrpc',
    ]) {
      rmSync(join(dir, sub), { recursive: true, force: true });
    }
  };

  try {
    const probe = new CriRuntime({ endpoint });
    try {
      await Promise.race([
        spawnError,
        eventually(
          'containerd CRI to answer Version',
          async () => {
            if (child.exitCode !== null)
              throw new Error(`containerd exited (${child.exitCode}); see ${logFile}`);
            if (!existsSync(socket)) return undefined;
            return probe.version(1000);
          },
          20_000,
        ),
      ]);
    } finally {
      await probe.close();
    }
    importImages(socket, snapshotter);
  } catch (err) {
    await stop();
    throw err;
  }

  return { endpoint, socket, bridge, subnet, snapshotter, pid: child.pid ?? 0, logFile, stop };
}
