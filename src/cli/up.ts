import type { Command } from './command.ts';

// `verge up` becomes cloud + local edge node + simulated device in one process as
// those parts land (issues 3, 6, 7 and the device issue). Until the API server
// exists there is nothing to start, and it says so rather than pretending.
export const upCommand: Command = {
  name: 'up',
  summary: 'run cloud, one edge node and a simulated device in one process (for a first look)',
  run(): Promise<number> {
    console.log(
      'verge up: the API server arrives with the next step (issue 3); ' +
        'today Verge provides its revisioned store (src/store). See README.md.',
    );
    return Promise.resolve(0);
  },
};
