/** Output helpers shared by the benchmarks: one JSON line per figure on stdout. */
import { cpus, totalmem } from 'node:os';

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

function round(v: unknown): unknown {
  return typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(4)) : v;
}

/** Prints one measurement as a JSON line (stdout) and a readable line (stderr). */
export function report(fields: Record<string, unknown>): void {
  const rounded = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, round(v)]));
  console.log(JSON.stringify(rounded));
  const { bench, ...rest } = rounded;
  console.error(
    `${String(bench).padEnd(36)} ${Object.entries(rest)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(' ')}`,
  );
}

export function machine(): string {
  const cpu = cpus();
  return `${cpu.length} x ${cpu[0]?.model.trim() ?? 'unknown cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.versions.node}, sqlite ${process.versions.sqlite}`;
}
