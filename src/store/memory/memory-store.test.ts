import { storeContract } from '../contract.ts';
import { MemoryStore } from './memory-store.ts';

storeContract('memory', (options) => Promise.resolve(new MemoryStore(options)));
