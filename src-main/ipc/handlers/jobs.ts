import type { HandlersFor, Services } from './types.ts';
import type { jobsMethods } from '../methods/jobs.ts';

export function jobsHandlers(s: Services): HandlersFor<typeof jobsMethods> {
  return {
    'jobs.list': () => s.jobs.list(),
    'jobs.get': ({ jobId }) => s.jobs.get(jobId),
    'jobs.cancel': ({ jobId }) => s.jobs.cancel(jobId),
  };
}
