import type { MethodDef } from './define.ts';

export const documentsMethods = {} satisfies Record<string, MethodDef>;
