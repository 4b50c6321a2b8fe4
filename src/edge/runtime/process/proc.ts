/**
 * Linux /proc helpers for the process driver: telling a live process from a
 * reused pid, and finding a container's processes by process group.
 */
import { readdir, readFile } from 'node:fs/promises';

interface ProcStat {
  pgid: number;
  /** Field 22: start time in clock ticks after boot; with the pid it names one process. */
  startTime: number;
  state: string;
}

/** Parses /proc/<pid>/stat; null when the process is gone. */
export async function procStat(pid: number): Promise<ProcStat | null> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may hold spaces or ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state), so field N is rest[N - 3].
  return { state: rest[0], pgid: Number(rest[5 - 3]), startTime: Number(rest[22 - 3]) };
}

/** Whether `pid` is still the process that had `startTime` (and is not a zombie). */
export async function isAlive(pid: number, startTime: number): Promise<boolean> {
  const stat = await procStat(pid);
  return stat !== null && stat.startTime === startTime && stat.state !== 'Z';
}

/** Live processes in process group `pgid`. */
export async function groupMembers(pgid: number): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const stat = await procStat(pid);
    if (stat && stat.pgid === pgid && stat.state !== 'Z') pids.push(pid);
  }
  return pids;
}

/** process.kill that ignores a process that is already gone. */
export function signal(pid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}
