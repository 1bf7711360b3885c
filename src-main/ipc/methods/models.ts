import type { MethodDef } from './define.ts';

export const modelsMethods = {} satisfies Record<string, MethodDef>;
