import { z } from 'zod';
import type { JobInfo } from '../contract/jobs.ts';
import { method, noArgs, type MethodDef } from './define.ts';

const jobId = z.object({ jobId: z.string().uuid() }).strict();

export const jobsMethods = {
  'jobs.list': method<JobInfo[]>()({ summary: 'Every job of this session', args: noArgs, errors: [] }),
  'jobs.get': method<JobInfo>()({ summary: 'One job', args: jobId, errors: ['NOT_FOUND'] }),
  'jobs.cancel': method<JobInfo>()({
    summary: 'Ask a job to stop at its next safe point; what it finished stays',
    args: jobId,
    errors: ['NOT_FOUND'],
  }),
} satisfies Record<string, MethodDef>;
