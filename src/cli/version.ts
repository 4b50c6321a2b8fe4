import type { Command } from './command.ts';
import { GIT_VERSION, KUBERNETES_VERSION, VERGE_VERSION } from '../util/version.ts';

export const versionCommand: Command = {
  run(): Promise<number> {
    console.log(`verge ${VERGE_VERSION}`);
    console.log(`kubernetes API ${KUBERNETES_VERSION} (reported as ${GIT_VERSION})`);
    console.log(`node ${process.versions.node}, sqlite ${process.versions.sqlite ?? 'unknown'}`);
    return Promise.resolve(0);
  },
};
