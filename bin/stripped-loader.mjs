// Loads dist/'s pre-stripped `.ts` files as plain ES modules, so Node never
// starts its TypeScript stripper (see scripts/build.ts for why).
import { registerHooks } from 'node:module';
import { readFileSync } from 'node:fs';
import { URL } from 'node:url';

registerHooks({
  load(url, context, nextLoad) {
    if (url.startsWith('file:') && url.endsWith('.ts') && url.includes('/dist/src/')) {
      return { format: 'module', source: readFileSync(new URL(url), 'utf8'), shortCircuit: true };
    }
    return nextLoad(url, context);
  },
});
