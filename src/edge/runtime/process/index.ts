/**
 * The `process` runtime: each container is a host process. For edge devices
 * without a container runtime.
 *
 * IT ISOLATES NOTHING. No namespaces, no own filesystem root, no cgroups, the
 * same user as the agent (runAsUser/runAsGroup, privileged and
 * readOnlyRootFilesystem are ignored), the host's network (the sandbox IP is
 * the host's). Run only workloads you would run as the agent's user.
 *
 * How it keeps the Runtime conventions (./types.ts):
 * - State is JSON under `stateDir` (`sandboxes/<id>.json`,
 *   `containers/<id>/container.json`), written atomically (temp file + rename).
 *   A new instance lists everything and adopts running processes; a process is
 *   known by its pid and its start time (/proc/<pid>/stat field 22), so a reused
 *   pid is not taken for the container.
 * - Containers outlive the agent: each runs under a small `/bin/sh` wrapper,
 *   spawned in its own session, with stdout/stderr going straight to files
 *   (O_APPEND), never through the agent. The wrapper starts the command in the
 *   background, passes TERM/INT/HUP on to it, waits for it (again after each
 *   signal, as a trapped signal interrupts `wait`) and writes its exit status to
 *   `containers/<id>/exit`; that file's mtime is the finish time. So an exit
 *   that happens while no agent runs is known afterwards.
 * - stopContainer sends SIGTERM to the command (the wrapper's child), then, after
 *   the timeout, SIGKILL to every process of the container's process group
 *   except the wrapper, which then records 137. If the wrapper itself is gone
 *   without an exit file (someone killed it), the container is reported exited
 *   with 137 and reason `ContainerStatusUnknown`, as Kubernetes does when it
 *   loses track of a container. Processes that leave the process group (setsid)
 *   escape both stop and clean-up. When an exit is noticed, what is left in the
 *   group is SIGKILLed (as when a container's PID 1 dies); if the exit happened
 *   long before (agent down) and the kernel has since reused the wrapper's pid
 *   as another process group's id, that clean-up would hit the wrong group: a
 *   risk accepted for now (pgid reuse needs a new group leader with that pid).
 * - Cost per container: state lives in memory once loaded (this instance owns
 *   the state dir; a new one reloads it). A wrapper this instance spawned tells
 *   its exit through the child's 'exit' event; an adopted one through its exit
 *   file appearing (fs.watch on the container's directory), backed by a look
 *   at /proc/<pid>/stat at most once a second (a wrapper killed behind our
 *   back writes no file). So listing containers costs no I/O when nothing
 *   changed.
 * - Logs: while alive, the driver keeps the raw stdout/stderr files open and
 *   copies what is new when the directory watch says a file was written (at
 *   most every `pumpIntervalMs`, default 200 ms), with a look at their sizes
 *   every 2 s in case a write went unnoticed (every `pumpIntervalMs` if the
 *   watch cannot be set up), and a final drain on exit. It appends CRI records
 *   to `join(logDirectory, logPath)` with CriLogWriter (which rotates it by
 *   size), storing how far it read in container.json after each copy that
 *   moved. Output written while no agent ran gets the time the driver read it.
 *   A crash between writing records and storing the offsets repeats at most
 *   one read's worth of output on restart. Each read's unfinished line is
 *   written as a P record. The order of stdout against stderr is kept only
 *   between reads, not within one. A raw file that has been read to its end
 *   and has grown past 1 MiB is truncated; output the command writes between
 *   that last read and the truncation is lost.
 * - Mounts: there is no chroot, so each mount becomes a symlink
 *   `containers/<id>/root/<containerPath>` -> hostPath and the command gets
 *   `VERGE_ROOT` set to that root: a workload that should run under both
 *   drivers reads `${VERGE_ROOT:-}/data/file`. `readonly` is not enforced.
 *   The default working directory is that root.
 * - Env: PATH and HOME from the agent, HOSTNAME (the pod's), the container's
 *   envs, VERGE_ROOT. Exec gets the same env and working directory.
 * - Resources: none applied (no cgroups): cpu and memory limits are ignored.
 * - exec runs the command as a child of the agent; a TTY is not emulated (no
 *   pty): output is passed through, stderr merged into stdout.
 * - attach follows the container's log from the moment of attaching. With
 *   `stdin: true` the command's stdin is a FIFO in the container's directory,
 *   opened read-write so the command never sees end of input; what an attach
 *   sends on stdin is written to it. stdinOnce is not honoured.
 */
import { spawn, execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants, openSync, closeSync, watch, type FSWatcher } from 'node:fs';
import {
  access,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  symlink,
  writeFile,
  type FileHandle,
} from 'node:fs/promises';
import { connect } from 'node:net';
import { constants as osConstants } from 'node:os';
import { hostIPv4 } from '../../../util/host-ip.ts';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Duplex, Writable } from 'node:stream';
import { NotFoundError, errorMessage } from '../../../util/errors.ts';
import type { Logger } from '../../../util/log.ts';
import { VERGE_VERSION } from '../../../util/version.ts';
import { CriLogWriter, readLogs, type LogStream } from '../cri-log.ts';
import {
  ContainerStartError,
  type ContainerConfig,
  type ContainerFilter,
  type ContainerState,
  type ContainerStatus,
  type ExecOptions,
  type ExecResult,
  type ImageStatus,
  type PodSandboxConfig,
  type PodSandboxStatus,
  type Runtime,
  type RuntimeVersionInfo,
  type SandboxState,
  type StreamOptions,
} from '../types.ts';
import { groupMembers, isAlive, procStat, signal } from './proc.ts';

export interface ProcessRuntimeOptions {
  /** Where sandboxes and containers are recorded; must survive agent restarts. */
  stateDir: string;
  log: Logger;
  /** The sandbox IP; default the host's first non-internal IPv4 address, else 127.0.0.1. */
  hostIP?: string;
  /**
   * How soon after a write a running container's output is copied to its log
   * (and how often it is polled when its directory cannot be watched). Default 200 ms.
   */
  pumpIntervalMs?: number;
}

interface SandboxRecord {
  id: string;
  config: PodSandboxConfig;
  createdAt: number;
  state: SandboxState;
}

interface ContainerRecord {
  id: string;
  sandboxId: string;
  config: ContainerConfig;
  hostname: string;
  logPath: string;
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  state: ContainerState;
  exitCode: number;
  reason: string;
  message: string;
  /** The wrapper's pid (also the process group id) and start time; 0 before start. */
  pid: number;
  startTime: number;
  /** We sent SIGKILL. */
  killed: boolean;
  /** Bytes of the raw output files already copied to the CRI log. */
  offsets: Record<LogStream, number>;
  /** Exited and all its output copied. */
  logsDone: boolean;
}

/** What this instance keeps while it tails a container; never stored. */
interface Tail {
  /** The raw output files, opened on first use, closed once the logs are done. */
  files: Partial<Record<LogStream, FileHandle>>;
  /** The container's directory, watched for writes and the exit file; null if it cannot be. */
  watcher: FSWatcher | null;
  /** Streams written to since they were last read, as far as the watch tells. */
  dirty: Record<LogStream, boolean>;
  /** The wrapper is this instance's child: its 'exit' event tells when it goes. */
  child: boolean;
  childExited: boolean;
  /** The watch saw the exit file appear. */
  exitFileSeen: boolean;
  /** When /proc last said the (adopted) wrapper was alive. */
  checkedAt: number;
  /** When both raw files' sizes were last looked at. */
  polledAt: number;
  timer: NodeJS.Timeout | null;
  closed: boolean;
}

/**
 * The wrapper: $1 exit file, $2 pid file, $3 stdin FIFO or '', then the
 * command. See the header for why it exists.
 */
const WRAPPER = `exitfile=$1; pidfile=$2; stdin=$3; shift 3
if [ -n "$stdin" ]; then "$@" 0<>"$stdin" & else "$@" </dev/null & fi
child=$!
echo "$child" >"$pidfile.tmp" && mv "$pidfile.tmp" "$pidfile"
trap 'kill -TERM "$child" 2>/dev/null' TERM
trap 'kill -INT "$child" 2>/dev/null' INT
trap 'kill -HUP "$child" 2>/dev/null' HUP
while :; do
  wait "$child"; code=$?
  kill -0 "$child" 2>/dev/null || break
done
wait "$child"; last=$?
[ "$last" -ne 127 ] && code=$last
echo "$code" >"$exitfile.tmp" && mv "$exitfile.tmp" "$exitfile"
`;

/** Raw output files are truncated once read to the end past this size. */
const TRUNCATE_AT = 1024 * 1024;
/** Largest read of one raw file per pump. */
const MAX_READ = 4 * 1024 * 1024;
/** How often the raw files' sizes are looked at when the watch says nothing. */
const FALLBACK_POLL_MS = 2000;
/** How long /proc's word that an adopted wrapper is alive is trusted. */
const LIVENESS_TTL_MS = 1000;
/** How often every tailed container is visited for the fallbacks above. */
const SWEEP_MS = 1000;
const STREAMS = ['stdout', 'stderr'] as const;

const execFileAsync = promisify(execFile);

export class ProcessRuntime implements Runtime {
  readonly driver = 'process';
  readonly #stateDir: string;
  readonly #log: Logger;
  readonly #hostIP: string;
  readonly #pumpIntervalMs: number;
  readonly #sandboxes = new Map<string, SandboxRecord>();
  readonly #containers = new Map<string, ContainerRecord>();
  readonly #writers = new Map<string, CriLogWriter>();
  readonly #tails = new Map<string, Tail>();
  readonly #locks = new Map<string, Promise<void>>();
  #loaded: Promise<void> | null = null;
  #pump: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(options: ProcessRuntimeOptions) {
    this.#stateDir = options.stateDir;
    this.#log = options.log.child({ component: 'runtime-process' });
    this.#hostIP = options.hostIP ?? hostIPv4();
    this.#pumpIntervalMs = options.pumpIntervalMs ?? 200;
  }

  async version(): Promise<RuntimeVersionInfo> {
    return { runtimeName: 'process', runtimeVersion: VERGE_VERSION, runtimeApiVersion: 'v1' };
  }

  // ---- images: there are none; every image is "present" ----

  async imageStatus(image: string): Promise<ImageStatus | null> {
    return { ref: `process://${image}`, repoTags: [image], size: 0 };
  }

  async pullImage(image: string): Promise<string> {
    return `process://${image}`;
  }

  // ---- sandboxes ----

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    await this.#load();
    const rec: SandboxRecord = { id: newId(), config, createdAt: Date.now(), state: 'ready' };
    await mkdir(config.logDirectory, { recursive: true });
    await this.#saveSandbox(rec);
    this.#sandboxes.set(rec.id, rec);
    return rec.id;
  }

  async stopPodSandbox(id: string): Promise<void> {
    await this.#load();
    const rec = this.#sandboxes.get(id);
    if (!rec) return;
    await Promise.all(
      [...this.#containers.values()]
        .filter((c) => c.sandboxId === id)
        .map((c) => this.stopContainer(c.id, 0)),
    );
    if (rec.state !== 'notready') {
      rec.state = 'notready';
      await this.#saveSandbox(rec);
    }
  }

  async removePodSandbox(id: string): Promise<void> {
    await this.#load();
    if (!this.#sandboxes.has(id)) return;
    await this.stopPodSandbox(id);
    for (const c of [...this.#containers.values()]) {
      if (c.sandboxId === id) await this.removeContainer(c.id);
    }
    this.#sandboxes.delete(id);
    await rm(this.#sandboxFile(id), { force: true });
  }

  async podSandboxStatus(id: string): Promise<PodSandboxStatus> {
    await this.#load();
    const rec = this.#sandboxes.get(id);
    if (!rec) throw new NotFoundError(`pod sandbox ${id} not found`);
    return this.#sandboxStatus(rec);
  }

  async listPodSandboxes(): Promise<PodSandboxStatus[]> {
    await this.#load();
    return [...this.#sandboxes.values()].map((s) => this.#sandboxStatus(s));
  }

  #sandboxStatus(rec: SandboxRecord): PodSandboxStatus {
    const { config } = rec;
    return {
      id: rec.id,
      metadata: { ...config.metadata },
      state: rec.state,
      createdAt: rec.createdAt,
      ip: this.#hostIP,
      hostNetwork: config.hostNetwork,
      labels: { ...config.labels },
      annotations: { ...config.annotations },
      logDirectory: config.logDirectory,
    };
  }

  // ---- containers ----

  async createContainer(
    sandboxId: string,
    config: ContainerConfig,
    sandboxConfig: PodSandboxConfig,
  ): Promise<string> {
    await this.#load();
    const sandbox = this.#sandboxes.get(sandboxId);
    if (!sandbox) throw new NotFoundError(`pod sandbox ${sandboxId} not found`);
    if (sandbox.state !== 'ready') throw new Error(`pod sandbox ${sandboxId} is not ready`);
    if (config.command.length === 0 && config.args.length === 0) {
      throw new ContainerStartError('the process runtime needs a command');
    }
    const id = newId();
    const dir = this.#containerDir(id);
    const root = join(dir, 'root');
    await mkdir(root, { recursive: true });
    for (const m of config.mounts) {
      const link = join(root, m.containerPath);
      if (!link.startsWith(root + '/')) {
        throw new Error(`mount path ${m.containerPath} leaves the container root`);
      }
      await mkdir(dirname(link), { recursive: true });
      await symlink(m.hostPath, link);
    }
    await writeFile(join(dir, 'stdout'), '', { flag: 'a' });
    await writeFile(join(dir, 'stderr'), '', { flag: 'a' });
    if (config.stdin) await execFileAsync('mkfifo', ['-m', '600', join(dir, 'stdin')]);
    const logDirectory = sandboxConfig.logDirectory || sandbox.config.logDirectory;
    const logPath = join(logDirectory, config.logPath);
    await mkdir(dirname(logPath), { recursive: true });
    const rec: ContainerRecord = {
      id,
      sandboxId,
      config,
      hostname: sandbox.config.hostname,
      logPath,
      createdAt: Date.now(),
      startedAt: 0,
      finishedAt: 0,
      state: 'created',
      exitCode: 0,
      reason: '',
      message: '',
      pid: 0,
      startTime: 0,
      killed: false,
      offsets: { stdout: 0, stderr: 0 },
      logsDone: false,
    };
    await this.#saveContainer(rec);
    this.#containers.set(id, rec);
    return id;
  }

  async startContainer(id: string): Promise<void> {
    const rec = await this.#container(id);
    await this.#withLock(id, async () => {
      if (rec.state !== 'created') throw new Error(`container ${id} is ${rec.state}, not created`);
      const argv = [...rec.config.command, ...rec.config.args];
      const env = this.#env(rec);
      const cwd = this.#cwd(rec);
      const fail = async (message: string): Promise<never> => {
        rec.state = 'exited';
        rec.exitCode = 128;
        rec.reason = 'StartError';
        rec.message = message;
        rec.finishedAt = Date.now();
        rec.logsDone = true;
        await this.#saveContainer(rec);
        throw new ContainerStartError(message);
      };
      if (!(await isDirectory(cwd))) return fail(`working directory ${cwd} does not exist`);
      if (!(await findExecutable(argv[0], cwd, env.PATH ?? ''))) {
        return fail(`exec: "${argv[0]}": executable file not found in $PATH`);
      }
      const dir = this.#containerDir(id);
      const out = openSync(join(dir, 'stdout'), 'a');
      const err = openSync(join(dir, 'stderr'), 'a');
      const tail = this.#newTail(rec);
      tail.child = true;
      try {
        const stdin = rec.config.stdin ? join(dir, 'stdin') : '';
        // Before the spawn: a quick command's exit file can be older than anything after it.
        const startedAt = Date.now();
        const child = spawn(
          '/bin/sh',
          ['-c', WRAPPER, 'verge-process', join(dir, 'exit'), join(dir, 'pid'), stdin, ...argv],
          { cwd, env, detached: true, stdio: ['ignore', out, err] },
        );
        child.once('exit', () => {
          tail.childExited = true;
          this.#schedule(rec, tail, 0);
        });
        await new Promise<void>((resolve, reject) => {
          child.once('spawn', resolve);
          child.once('error', reject);
        }).catch(async (e: unknown) => {
          await this.#closeTail(rec.id);
          return fail(`cannot start the wrapper shell: ${errorMessage(e)}`);
        });
        child.unref();
        rec.pid = child.pid ?? 0;
        rec.startTime = (await procStat(rec.pid))?.startTime ?? -1;
        rec.startedAt = startedAt;
      } finally {
        closeSync(out);
        closeSync(err);
      }
      rec.state = 'running';
      this.#watch(rec, tail);
      await this.#saveContainer(rec);
      this.#log.info({ container: id, pid: rec.pid, command: argv[0] }, 'container started');
    });
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    const rec = await this.#container(id);
    await this.#refresh(rec);
    if (rec.state !== 'running') return;
    const dir = this.#containerDir(id);
    const exited = async (): Promise<boolean> => {
      const tail = this.#tails.get(id);
      if (tail?.childExited || tail?.exitFileSeen) return true;
      return exists(join(dir, 'exit'));
    };
    const child = await this.#childPid(rec);
    if (timeoutSeconds > 0) {
      signal(child ?? rec.pid, 'SIGTERM');
      await pollUntil(exited, timeoutSeconds * 1000);
    }
    if (!(await exited())) {
      rec.killed = true;
      await this.#saveContainer(rec);
      if (child) signal(child, 'SIGKILL');
      for (const pid of await groupMembers(rec.pid)) {
        if (pid !== rec.pid) signal(pid, 'SIGKILL');
      }
      if (!(await pollUntil(exited, 2000))) signal(-rec.pid, 'SIGKILL');
    }
    await pollUntil(async () => {
      await this.#refresh(rec);
      return rec.state !== 'running';
    }, 5000);
    if (rec.state === 'running') throw new Error(`container ${id} did not stop`);
  }

  async removeContainer(id: string): Promise<void> {
    await this.#load();
    const rec = this.#containers.get(id);
    if (!rec) return;
    if (rec.state === 'running') await this.stopContainer(id, 0);
    await this.#withLock(id, async () => {
      await this.#closeTail(id);
      await this.#writers.get(id)?.close();
      this.#writers.delete(id);
      this.#containers.delete(id);
      await rm(this.#containerDir(id), { recursive: true, force: true });
    });
  }

  async listContainers(filter: ContainerFilter = {}): Promise<ContainerStatus[]> {
    await this.#load();
    const out: ContainerStatus[] = [];
    for (const rec of [...this.#containers.values()]) {
      if (filter.podSandboxId && rec.sandboxId !== filter.podSandboxId) continue;
      const selector = Object.entries(filter.labelSelector ?? {});
      if (selector.some(([k, v]) => rec.config.labels[k] !== v)) continue;
      if (rec.state === 'running' || (rec.state === 'exited' && !rec.logsDone)) {
        await this.#refresh(rec);
      }
      if (filter.state && rec.state !== filter.state) continue;
      if (!this.#containers.has(rec.id)) continue; // removed meanwhile
      out.push(this.#containerStatus(rec));
    }
    return out;
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    const rec = await this.#container(id);
    await this.#refresh(rec);
    return this.#containerStatus(rec);
  }

  async reopenContainerLog(id: string): Promise<void> {
    await this.#container(id);
    await this.#writers.get(id)?.reopen();
  }

  #containerStatus(rec: ContainerRecord): ContainerStatus {
    const { config } = rec;
    const program = config.command[0] ?? config.args[0] ?? '';
    return {
      id: rec.id,
      podSandboxId: rec.sandboxId,
      metadata: { ...config.metadata },
      state: rec.state,
      createdAt: rec.createdAt,
      startedAt: rec.startedAt,
      finishedAt: rec.finishedAt,
      exitCode: rec.exitCode,
      reason: rec.reason,
      message: rec.message,
      image: config.image,
      imageRef: `process://${program}`,
      logPath: rec.logPath,
      labels: { ...config.labels },
      annotations: { ...config.annotations },
    };
  }

  // ---- streaming ----

  async exec(containerId: string, options: ExecOptions): Promise<ExecResult> {
    const rec = await this.#running(containerId);
    if (options.cmd.length === 0) throw new Error('exec needs a command');
    const child = spawn(options.cmd[0], options.cmd.slice(1), {
      cwd: this.#cwd(rec),
      env: this.#env(rec),
      stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    const stdout = options.stdout;
    const stderr = options.tty ? options.stdout : options.stderr;
    if (stdout) child.stdout?.pipe(stdout, { end: false });
    else child.stdout?.resume();
    if (stderr) child.stderr?.pipe(stderr, { end: false });
    else child.stderr?.resume();
    if (options.stdin && child.stdin) {
      child.stdin.on('error', () => {}); // the command may exit without reading it all
      options.stdin.pipe(child.stdin);
    }
    let timedOut = false;
    const kill = (): void => void child.kill('SIGKILL');
    const timer =
      options.timeoutMs && options.timeoutMs > 0
        ? setTimeout(() => {
            timedOut = true;
            kill();
          }, options.timeoutMs)
        : null;
    options.signal?.addEventListener('abort', kill, { once: true });
    try {
      const exitCode = await new Promise<number>((resolve) => {
        child.once('error', (err) => {
          const message = `exec: ${errorMessage(err)}\n`;
          stderr?.write(message);
          resolve(127);
        });
        child.once('close', (code, sig) => {
          resolve(code ?? 128 + (sig ? osConstants.signals[sig] : 0));
        });
      });
      return { exitCode, timedOut };
    } finally {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', kill);
      if (options.stdin && child.stdin) options.stdin.unpipe(child.stdin);
    }
  }

  async attach(containerId: string, options: StreamOptions): Promise<void> {
    const rec = await this.#running(containerId);
    const abort = new AbortController();
    const stop = (): void => abort.abort();
    options.signal?.addEventListener('abort', stop, { once: true });
    const stillRunning = async (): Promise<boolean> => {
      if (!this.#containers.has(rec.id)) return false;
      await this.#refresh(rec);
      return rec.state === 'running';
    };
    const follow = (stream: LogStream | 'all', out: Writable): Promise<void> =>
      readLogs(
        rec.logPath,
        { follow: true, tailLines: 0, stream, stillRunning, pollIntervalMs: this.#pumpIntervalMs },
        out,
        abort.signal,
      );
    const readers: Promise<void>[] = [];
    if (options.tty) {
      if (options.stdout) readers.push(follow('all', options.stdout));
    } else {
      if (options.stdout) readers.push(follow('stdout', options.stdout));
      if (options.stderr) readers.push(follow('stderr', options.stderr));
    }
    let fifo: Writable | null = null;
    if (options.stdin && rec.config.stdin) {
      const handle = await open(join(this.#containerDir(rec.id), 'stdin'), 'w');
      fifo = handle.createWriteStream();
      fifo.on('error', () => {});
      options.stdin.pipe(fifo);
    }
    try {
      if (readers.length === 0) {
        await pollUntil(async () => abort.signal.aborted || !(await stillRunning()), Infinity);
      }
      await Promise.all(readers);
    } finally {
      options.signal?.removeEventListener('abort', stop);
      if (fifo) {
        options.stdin?.unpipe(fifo);
        fifo.end();
      }
    }
  }

  async portForward(sandboxId: string, port: number, stream: Duplex): Promise<void> {
    await this.#load();
    if (!this.#sandboxes.has(sandboxId))
      throw new NotFoundError(`pod sandbox ${sandboxId} not found`);
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    await new Promise<void>((resolve) => {
      const done = (): void => {
        socket.destroy();
        resolve();
      };
      socket.on('error', done);
      socket.on('close', done);
      stream.on('error', done);
      stream.on('close', done);
      socket.pipe(stream);
      stream.pipe(socket);
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#pump) clearInterval(this.#pump);
    this.#pump = null;
    await Promise.all([...this.#locks.values()]);
    for (const id of [...this.#tails.keys()]) await this.#closeTail(id);
    for (const w of this.#writers.values()) await w.close().catch(() => {});
    this.#writers.clear();
  }

  // ---- state ----

  #load(): Promise<void> {
    this.#loaded ??= this.#readState();
    return this.#loaded;
  }

  async #readState(): Promise<void> {
    await mkdir(join(this.#stateDir, 'sandboxes'), { recursive: true });
    await mkdir(join(this.#stateDir, 'containers'), { recursive: true });
    for (const name of await readdir(join(this.#stateDir, 'sandboxes'))) {
      if (!name.endsWith('.json')) continue;
      const rec = await readJson<SandboxRecord>(join(this.#stateDir, 'sandboxes', name));
      if (rec) this.#sandboxes.set(rec.id, rec);
    }
    for (const name of await readdir(join(this.#stateDir, 'containers'))) {
      const rec = await readJson<ContainerRecord>(join(this.#containerDir(name), 'container.json'));
      if (rec) this.#containers.set(rec.id, rec);
    }
    this.#log.debug(
      { sandboxes: this.#sandboxes.size, containers: this.#containers.size },
      'state loaded',
    );
    if (this.#closed) return;
    for (const rec of this.#containers.values()) {
      if (rec.state === 'running') this.#watch(rec, this.#newTail(rec));
      if (rec.state === 'exited' && !rec.logsDone) this.#schedule(rec, this.#newTail(rec), 0);
    }
    this.#pump = setInterval(() => void this.#sweep(), SWEEP_MS);
    this.#pump.unref();
  }

  /** The fallback: visits every tailed container (each decides whether anything is due). */
  async #sweep(): Promise<void> {
    for (const rec of [...this.#containers.values()]) {
      if (this.#closed) return;
      if (this.#tails.has(rec.id)) await this.#refreshLogged(rec);
    }
  }

  #refreshLogged(rec: ContainerRecord): Promise<void> {
    return this.#refresh(rec).catch((err: unknown) => {
      this.#log.warn({ container: rec.id, err: errorMessage(err) }, 'log pump failed');
    });
  }

  #newTail(rec: ContainerRecord): Tail {
    const tail: Tail = {
      files: {},
      watcher: null,
      dirty: { stdout: false, stderr: false },
      child: false,
      childExited: false,
      exitFileSeen: false,
      checkedAt: 0,
      polledAt: 0,
      timer: null,
      closed: false,
    };
    this.#tails.set(rec.id, tail);
    return tail;
  }

  /** Watches the container's directory: writes to its raw files, the exit file appearing. */
  #watch(rec: ContainerRecord, tail: Tail): void {
    try {
      tail.watcher = watch(this.#containerDir(rec.id), { persistent: false }, (_event, name) => {
        if (tail.closed) return;
        if (name === 'stdout' || name === 'stderr') tail.dirty[name] = true;
        else if (name === 'exit') tail.exitFileSeen = true;
        else if (name === null) tail.dirty.stdout = tail.dirty.stderr = true;
        else return;
        this.#schedule(rec, tail, name === 'exit' ? 0 : this.#pumpIntervalMs);
      });
      tail.watcher.on('error', (err) => {
        this.#log.debug({ container: rec.id, err: errorMessage(err) }, 'watch failed; polling');
        tail.watcher?.close();
        tail.watcher = null;
        this.#schedule(rec, tail, this.#pumpIntervalMs);
      });
    } catch (err) {
      this.#log.debug({ container: rec.id, err: errorMessage(err) }, 'cannot watch; polling');
      tail.watcher = null;
      this.#schedule(rec, tail, this.#pumpIntervalMs);
    }
  }

  /** Refreshes the container after `delay` ms, unless a refresh is already scheduled. */
  #schedule(rec: ContainerRecord, tail: Tail, delay: number): void {
    if (tail.closed || tail.timer || this.#closed) return;
    tail.timer = setTimeout(() => {
      tail.timer = null;
      void this.#refreshLogged(rec);
    }, delay);
    tail.timer.unref();
  }

  async #closeTail(id: string): Promise<void> {
    const tail = this.#tails.get(id);
    if (!tail) return;
    this.#tails.delete(id);
    tail.closed = true;
    if (tail.timer) clearTimeout(tail.timer);
    tail.timer = null;
    tail.watcher?.close();
    tail.watcher = null;
    const files = Object.values(tail.files);
    tail.files = {};
    await Promise.all(files.map((f) => f.close().catch(() => {})));
  }

  async #container(id: string): Promise<ContainerRecord> {
    await this.#load();
    const rec = this.#containers.get(id);
    if (!rec) throw new NotFoundError(`container ${id} not found`);
    return rec;
  }

  async #running(id: string): Promise<ContainerRecord> {
    const rec = await this.#container(id);
    await this.#refresh(rec);
    if (rec.state !== 'running') throw new Error(`container ${id} is not running (${rec.state})`);
    return rec;
  }

  /**
   * Learns whether a running container exited, and copies its new output to
   * its log; both only as far as something is known or due to have changed.
   */
  #refresh(rec: ContainerRecord): Promise<void> {
    return this.#withLock(rec.id, async () => {
      if (!this.#containers.has(rec.id) || this.#closed) return;
      if (rec.state === 'running') {
        let tail = this.#tails.get(rec.id);
        if (!tail) {
          tail = this.#newTail(rec);
          this.#watch(rec, tail);
        }
        const exit = await this.#exitStatus(rec, tail);
        if (exit) {
          await this.#pumpLogs(rec, tail, true);
          await this.#closeTail(rec.id);
          await this.#closeLog(rec);
          rec.state = 'exited';
          rec.exitCode = exit.code;
          // The file's mtime comes from a coarse kernel clock: never before the start.
          rec.finishedAt = Math.max(exit.at, rec.startedAt);
          rec.reason = exit.reason ?? (exit.code === 0 ? 'Completed' : 'Error');
          rec.message = exit.message ?? '';
          rec.logsDone = true;
          await this.#saveContainer(rec);
          // As when a container's PID 1 dies: what it left behind goes too.
          for (const pid of await groupMembers(rec.pid)) {
            if (pid !== rec.pid) signal(pid, 'SIGKILL');
          }
          return;
        }
        await this.#pumpLogs(rec, tail, false);
        if (!tail.watcher) this.#schedule(rec, tail, this.#pumpIntervalMs);
      } else if (rec.state === 'exited' && !rec.logsDone) {
        await this.#pumpLogs(rec, this.#tails.get(rec.id) ?? this.#newTail(rec), true);
        await this.#closeTail(rec.id);
        await this.#closeLog(rec);
        rec.logsDone = true;
        await this.#saveContainer(rec);
      }
    });
  }

  async #exitStatus(
    rec: ContainerRecord,
    tail: Tail,
  ): Promise<{ code: number; at: number; reason?: string; message?: string } | null> {
    if (!tail.childExited && !tail.exitFileSeen) {
      // Our child: its 'exit' event will tell. Adopted: ask /proc now and then.
      if (tail.child) return null;
      const now = Date.now();
      if (now - tail.checkedAt < LIVENESS_TTL_MS) return null;
      tail.checkedAt = now;
      if (await isAlive(rec.pid, rec.startTime)) return null;
    }
    const file = join(this.#containerDir(rec.id), 'exit');
    const read = async (): Promise<{ code: number; at: number } | null> => {
      try {
        const [text, s] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
        const code = Number.parseInt(text.trim(), 10);
        return { code: Number.isNaN(code) ? -1 : code, at: Math.floor(s.mtimeMs) };
      } catch {
        return null;
      }
    };
    const exit = await read();
    if (exit) return exit;
    if (!tail.childExited && (await isAlive(rec.pid, rec.startTime))) {
      tail.exitFileSeen = false;
      return null;
    }
    // The wrapper may have written the file just before it went.
    const late = await read();
    if (late) return late;
    return {
      code: 137,
      at: Date.now(),
      reason: rec.killed ? 'Error' : 'ContainerStatusUnknown',
      message: rec.killed
        ? 'killed with its wrapper'
        : 'The container could not be located when the pod was terminated',
    };
  }

  /**
   * Copies new raw output to the CRI log and records how far it got: of the
   * streams the watch said were written to, or of both when the fallback poll
   * is due or when `drain`ing (the container exited: read to the end).
   */
  async #pumpLogs(rec: ContainerRecord, tail: Tail, drain: boolean): Promise<void> {
    const now = Date.now();
    const due = drain || !tail.watcher || now - tail.polledAt >= FALLBACK_POLL_MS;
    if (due) tail.polledAt = now;
    let changed = false;
    let more = false;
    for (const stream of STREAMS) {
      if (!due && !tail.dirty[stream]) continue;
      tail.dirty[stream] = false;
      let file = tail.files[stream];
      if (!file) {
        file = await open(join(this.#containerDir(rec.id), stream), 'r+').catch(() => undefined);
        if (!file) continue;
        if (tail.closed) {
          await file.close();
          return;
        }
        tail.files[stream] = file;
      }
      for (;;) {
        const size = (await file.stat()).size;
        // Smaller than what was read: truncated by an instance that died before saving.
        if (size < rec.offsets[stream]) {
          rec.offsets[stream] = 0;
          changed = true;
        }
        const length = Math.min(size - rec.offsets[stream], MAX_READ);
        let bytesRead = 0;
        if (length > 0) {
          const buf = Buffer.allocUnsafe(length);
          ({ bytesRead } = await file.read(buf, 0, length, rec.offsets[stream]));
          await this.#writer(rec).write(stream, buf.subarray(0, bytesRead));
          rec.offsets[stream] += bytesRead;
          changed = true;
        }
        if (rec.offsets[stream] >= TRUNCATE_AT && rec.offsets[stream] === size) {
          await file.truncate(0);
          rec.offsets[stream] = 0;
          changed = true;
        }
        if (bytesRead < MAX_READ) break;
        if (!drain) {
          // There is more: come back soon rather than hold the lock.
          tail.dirty[stream] = true;
          more = true;
          break;
        }
      }
    }
    if (changed) {
      await this.#writer(rec).flush();
      await this.#saveContainer(rec);
    }
    if (more) this.#schedule(rec, tail, 0);
  }

  #writer(rec: ContainerRecord): CriLogWriter {
    let writer = this.#writers.get(rec.id);
    if (!writer) {
      writer = new CriLogWriter(rec.logPath);
      this.#writers.set(rec.id, writer);
    }
    return writer;
  }

  async #closeLog(rec: ContainerRecord): Promise<void> {
    await this.#writers.get(rec.id)?.close();
    this.#writers.delete(rec.id);
  }

  async #childPid(rec: ContainerRecord): Promise<number | null> {
    const file = join(this.#containerDir(rec.id), 'pid');
    let pid: number | null = null;
    await pollUntil(async () => {
      const text = await readFile(file, 'utf8').catch(() => '');
      const n = Number.parseInt(text, 10);
      if (n > 0) pid = n;
      return pid !== null;
    }, 1000);
    return pid;
  }

  #env(rec: ContainerRecord): Record<string, string> {
    const env: Record<string, string> = {};
    if (process.env.PATH) env.PATH = process.env.PATH;
    if (process.env.HOME) env.HOME = process.env.HOME;
    env.HOSTNAME = rec.hostname;
    for (const { name, value } of rec.config.envs) env[name] = value;
    env.VERGE_ROOT = join(this.#containerDir(rec.id), 'root');
    return env;
  }

  #cwd(rec: ContainerRecord): string {
    return rec.config.workingDir || join(this.#containerDir(rec.id), 'root');
  }

  #containerDir(id: string): string {
    return join(this.#stateDir, 'containers', id);
  }

  #sandboxFile(id: string): string {
    return join(this.#stateDir, 'sandboxes', `${id}.json`);
  }

  #saveSandbox(rec: SandboxRecord): Promise<void> {
    return writeJsonAtomic(this.#sandboxFile(rec.id), rec);
  }

  async #saveContainer(rec: ContainerRecord): Promise<void> {
    if (!this.#containers.has(rec.id) && rec.state !== 'created') return; // removed
    await writeJsonAtomic(join(this.#containerDir(rec.id), 'container.json'), rec);
  }

  /** Runs `fn` after every earlier call for the same id. */
  #withLock(id: string, fn: () => Promise<void>): Promise<void> {
    const prev = this.#locks.get(id) ?? Promise.resolve();
    const run = prev.then(fn);
    const tail = run.catch(() => {});
    this.#locks.set(id, tail);
    void tail.then(() => {
      if (this.#locks.get(id) === tail) this.#locks.delete(id);
    });
    return run;
  }
}

function newId(): string {
  return randomBytes(16).toString('hex');
}

let tmpSeq = 0;
async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${tmpSeq++}`;
  await writeFile(tmp, JSON.stringify(value));
  await rename(tmp, path);
}

async function readJson<T>(path: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return null;
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/** Programs found lately, by program and PATH: pods start the same few many times. */
const foundExecutables = new Map<string, { path: string; at: number }>();
const FOUND_TTL_MS = 10_000;

/**
 * Resolves `program` like execvp: a path if it has a slash, else along PATH.
 * A program found is trusted for 10 s (removed since, the wrapper reports 127).
 */
async function findExecutable(program: string, cwd: string, path: string): Promise<string | null> {
  // The working directory matters only to a relative path (each container has its own).
  const relative = program.includes('/') && !isAbsolute(program);
  const key = `${program}\0${relative ? cwd : ''}\0${path}`;
  const now = Date.now();
  const hit = foundExecutables.get(key);
  if (hit && now - hit.at < FOUND_TTL_MS) return hit.path;
  const found = await lookupExecutable(program, cwd, path);
  if (foundExecutables.size >= 256) foundExecutables.clear();
  if (found) foundExecutables.set(key, { path: found, at: now });
  else foundExecutables.delete(key);
  return found;
}

async function lookupExecutable(
  program: string,
  cwd: string,
  path: string,
): Promise<string | null> {
  const candidates = program.includes('/')
    ? [isAbsolute(program) ? program : resolve(cwd, program)]
    : path
        .split(delimiter)
        .filter(Boolean)
        .map((d) => join(d, program));
  for (const c of candidates) {
    try {
      await access(c, constants.X_OK);
      if (!(await isDirectory(c))) return c;
    } catch {
      // next
    }
  }
  return null;
}

/** Polls `cond` every 50 ms until it holds (true) or `ms` passes (false). */
async function pollUntil(cond: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await cond()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}
