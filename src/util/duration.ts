import { InvalidError } from './errors.ts';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses Go-style durations as users write them: `500ms`, `30s`, `5m`, `1h30m`, `24h`, `7d`. */
export function parseDuration(text: string, what = 'duration'): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    total += Number(m[1]) * UNITS[m[2]];
    matched = re.lastIndex;
  }
  if (text === '' || matched !== text.length) {
    throw new InvalidError(
      `${what}: not a duration: ${JSON.stringify(text)} (examples: 500ms, 30s, 5m, 1h30m, 7d)`,
    );
  }
  return total;
}
