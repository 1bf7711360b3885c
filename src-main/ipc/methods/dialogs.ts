import { z } from 'zod';
import { method, type MethodDef } from './define.ts';

export const dialogsMethods = {
  'dialogs.chooseFolder': method<{ path: string | null }>()({
    summary: 'Desktop app only: a native folder dialog (null when cancelled); in the browser, type the path instead',
    args: z.object({ title: z.string().max(200).optional() }).strict(),
    errors: ['UNSUPPORTED'],
  }),
} satisfies Record<string, MethodDef>;
