import type { MethodDef } from './define.ts';

export const verifyMethods = {} satisfies Record<string, MethodDef>;
