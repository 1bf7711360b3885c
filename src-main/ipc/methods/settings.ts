import type { MethodDef } from './define.ts';

export const settingsMethods = {} satisfies Record<string, MethodDef>;
