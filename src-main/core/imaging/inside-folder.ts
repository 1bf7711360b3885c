import { sep } from 'node:path';

/** Whether a resolved path lies in a resolved folder (the folder itself included). */
export function isInside(real: string, root: string): boolean {
  return real === root || real.startsWith(root.endsWith(sep) ? root : root + sep);
}
