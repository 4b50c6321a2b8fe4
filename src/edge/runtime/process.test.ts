import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../util/log.ts';
import { runtimeContract } from './contract.ts';
import { ProcessRuntime } from './process/index.ts';

runtimeContract('process', async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'verge-process-runtime-'));
  const open = (): ProcessRuntime =>
    new ProcessRuntime({ stateDir, log: silentLogger(), hostIP: '127.0.0.1', pumpIntervalMs: 50 });
  return {
    runtime: open(),
    image: 'ignored',
    reopen: async () => open(),
    cleanup: async () => rmSync(stateDir, { recursive: true, force: true }),
  };
});
