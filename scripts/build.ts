/**
 * Writes dist/: every source file with its types stripped ahead of time (by
 * Node's own stripTypeScriptTypes), under the same names, plus package.json.
 * bin/verge runs dist/ when it is up to date, through bin/stripped-loader.mjs,
 * so a running verge never loads Node's TypeScript stripper (a WebAssembly
 * module whose memory grows with every file it strips: ~30 MB of RSS for the
 * server; see docs/BENCHMARKS.md). Development and tests run src/ directly.
 *
 *   node scripts/build.ts      (also run by `npm ci` / `npm install` as `prepare`)
 */
import { stripTypeScriptTypes } from 'node:module';
import {
  copyFileSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';

const root = join(dirname(new URL(import.meta.url).pathname), '..');
const out = join(root, 'dist');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

rmSync(out, { recursive: true, force: true });
let files = 0;
for (const file of walk(join(root, 'src'))) {
  if (!file.endsWith('.ts') || file.endsWith('.test.ts') || file.includes('.fixture.')) continue;
  const target = join(out, relative(root, file));
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, stripTypeScriptTypes(readFileSync(file, 'utf8'), { mode: 'strip' }));
  files++;
}
copyFileSync(join(root, 'package.json'), join(out, 'package.json'));
// Written last: bin/verge trusts dist/ only if no source is newer than this.
writeFileSync(join(out, '.stamp'), `${new Date().toISOString()}\n`);
console.log(`verge build: ${files} files stripped into ${relative(process.cwd(), out) || 'dist'}/`);
