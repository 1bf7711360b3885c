import type { MethodDef } from './define.ts';

export const reportMethods = {} satisfies Record<string, MethodDef>;
