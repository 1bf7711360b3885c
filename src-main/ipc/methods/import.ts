import type { MethodDef } from './define.ts';

export const importMethods = {} satisfies Record<string, MethodDef>;
