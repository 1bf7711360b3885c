import type { MethodDef } from './define.ts';

export const trainingMethods = {} satisfies Record<string, MethodDef>;
