// Worker entry used when running from TypeScript sources: registers tsx in this
// thread, then loads the real worker module.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.__entry);
