import { z } from 'zod';
import type { DoctorReport } from '../../core/doctor.ts';
import type { JobInfo } from '../contract/jobs.ts';
import { method, noArgs, type MethodDef } from './define.ts';

export interface AppInfo extends DoctorReport {
  /** How this UI talks to the core. */
  transport: 'electron' | 'bridge';
}

const jobId = z.object({ jobId: z.string().uuid() }).strict();

export const appMethods = {
  'app.info': method<AppInfo>()({
    summary: 'Versions, the TensorFlow.js backend in use (and why better ones are unavailable), data directory',
    args: noArgs,
    errors: ['INTERNAL'],
  }),
  'dialogs.chooseFolder': method<{ path: string | null }>()({
    summary: 'Desktop app only: a native folder dialog (null when cancelled); in the browser, type the path instead',
    args: z.object({ title: z.string().max(200).optional() }).strict(),
    errors: ['UNSUPPORTED'],
  }),
  'jobs.list': method<JobInfo[]>()({ summary: 'Every job of this session', args: noArgs, errors: [] }),
  'jobs.get': method<JobInfo>()({ summary: 'One job', args: jobId, errors: ['NOT_FOUND'] }),
  'jobs.cancel': method<JobInfo>()({
    summary: 'Ask a job to stop at its next safe point; what it finished stays',
    args: jobId,
    errors: ['NOT_FOUND'],
  }),
} satisfies Record<string, MethodDef>;
