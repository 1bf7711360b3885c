import type { DoctorReport } from '../../core/doctor.ts';
import { method, noArgs, type MethodDef } from './define.ts';

export interface AppInfo extends DoctorReport {
  /** How this UI talks to the core. */
  transport: 'electron' | 'bridge';
}

export const appMethods = {
  'app.info': method<AppInfo>()({
    summary: 'Versions, the TensorFlow.js backend in use (and why better ones are unavailable), data directory',
    args: noArgs,
    errors: ['INTERNAL'],
  }),
} satisfies Record<string, MethodDef>;
