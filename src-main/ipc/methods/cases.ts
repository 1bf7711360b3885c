import type { MethodDef } from './define.ts';

export const casesMethods = {} satisfies Record<string, MethodDef>;
