// Hostile tar archives for the import and restore tests: ustar headers written by hand, entries
// without data left as holes, so a small file on disk can claim huge entries.
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';

/** A ustar header for a regular file of `size` bytes (the data is not written). */
function header(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(size.toString(8).padStart(11, '0') + '\0', 124);
  h.write('00000000000\0', 136);
  h.fill(0x20, 148, 156);
  h[156] = 0x30;
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return h;
}

/** Writes `file` with the given entries (an entry with `size` and no `data` is a hole) and returns its path. */
export function sparseTar(file: string, entries: { name: string; data?: Buffer; size?: number }[]): string {
  const fd = openSync(file, 'w');
  let pos = 0;
  for (const e of entries) {
    const size = e.data?.length ?? e.size!;
    writeSync(fd, header(e.name, size), 0, 512, pos);
    if (e.data) writeSync(fd, e.data, 0, e.data.length, pos + 512);
    pos += 512 + Math.ceil(size / 512) * 512;
  }
  ftruncateSync(fd, pos + 1024);
  closeSync(fd);
  return file;
}
