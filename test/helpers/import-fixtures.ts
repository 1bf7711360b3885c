/**
 * Case folders for the import tests: synthetic cases from core/synth (fixed seeds) and the
 * bad inputs an examiner's folder can hold, each with the reason word the import must give.
 */
import { chmodSync, cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { createWriter, generateCase, renderCheque, type CaseTruth } from '../../src-main/core/synth/index.ts';

export async function synthCase(
  dir: string,
  seed: number,
  opts: { subjects?: number; known?: number; questioned?: number } = {},
): Promise<{ dir: string; truth: CaseTruth }> {
  await generateCase(dir, { subjects: opts.subjects ?? 2, known: opts.known ?? 3, questioned: opts.questioned ?? 2, seed });
  return { dir, truth: JSON.parse(readFileSync(path.join(dir, 'truth.json'), 'utf8')) as CaseTruth };
}

/** Copies a case folder (tests that change files work on their own copy). */
export function copyCase(from: string, to: string): string {
  cpSync(from, to, { recursive: true, verbatimSymlinks: true });
  return to;
}

/** A PNG whose header claims width x height, with a token IDAT: nothing can decode it. */
export function pngHeaderOnly(width: number, height: number): Buffer {
  const chunk = (type: string, body: Buffer): Buffer => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(body.length);
    const tb = Buffer.concat([Buffer.from(type, 'ascii'), body]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(tb) >>> 0);
    return Buffer.concat([len, tb, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(1000))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export interface BadFile {
  path: string;
  code: string;
  /** Read and kept (a failed document row names the stored original). */
  stored: boolean;
}

const root = (): boolean => process.getuid?.() === 0;

/**
 * Adds every kind of bad input to a case folder whose subject `subject` exists under known/
 * and questioned/. Returns what the import must say about each.
 */
export async function addBadFiles(dir: string, subject: string): Promise<BadFile[]> {
  const q = (name: string) => path.join(dir, 'questioned', subject, name);
  const k = (name: string) => path.join(dir, 'known', subject, name);
  const bad: BadFile[] = [];
  const add = (rel: string, code: string, stored: boolean) => bad.push({ path: rel, code, stored });
  writeFileSync(k('empty.png'), Buffer.alloc(0));
  add(`known/${subject}/empty.png`, 'empty', false);
  const cheque = await renderCheque(createWriter(99, 'w0099'), { format: 'jpeg', sampleIndex: 7 });
  writeFileSync(q('truncated.jpg'), cheque.data.subarray(0, Math.floor(cheque.data.length * 0.6)));
  add(`questioned/${subject}/truncated.jpg`, 'truncated', true);
  writeFileSync(q('notes.png'), 'Examiner notes: the payee disputes this cheque.\n'.repeat(30));
  add(`questioned/${subject}/notes.png`, 'not-an-image', true);
  writeFileSync(q('statement.pdf'), '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
  add(`questioned/${subject}/statement.pdf`, 'pdf', true);
  writeFileSync(q('huge.png'), pngHeaderOnly(20000, 20000));
  add(`questioned/${subject}/huge.png`, 'too-large', true);
  writeFileSync(
    q('blank.png'),
    await sharp({ create: { width: 1800, height: 800, channels: 3, background: '#fbfbf7' } })
      .png()
      .toBuffer(),
  );
  add(`questioned/${subject}/blank.png`, 'blank', true);
  symlinkSync(q('loop-b.png'), q('loop-a.png'));
  symlinkSync(q('loop-a.png'), q('loop-b.png'));
  add(`questioned/${subject}/loop-a.png`, 'symlink-loop', false);
  add(`questioned/${subject}/loop-b.png`, 'symlink-loop', false);
  symlinkSync(q('gone.png'), q('dangling.png'));
  add(`questioned/${subject}/dangling.png`, 'not-found', false);
  writeFileSync(k('locked.png'), 'not readable, and not an image either');
  chmodSync(k('locked.png'), 0o000);
  // root reads it anyway, and then finds it is no image
  add(`known/${subject}/locked.png`, root() ? 'not-an-image' : 'permission', root());
  writeFileSync(path.join(dir, 'known', 'loose.png'), 'x');
  add('known/loose.png', 'no-subject', false);
  writeFileSync(path.join(dir, 'questioned', 'unclaimed.png'), 'x');
  add('questioned/unclaimed.png', 'no-claimed-subject', false);
  mkdirSync(path.join(dir, 'elsewhere'), { recursive: true });
  symlinkSync(path.join(dir, 'elsewhere'), k('linked-folder'));
  add(`known/${subject}/linked-folder`, 'folder-link', false);
  return bad;
}

/** A two-page TIFF of two cheques (each page is a document), with the boxes of their signatures. */
export async function twoPageTiff(file: string): Promise<[number, number, number, number][]> {
  const w = createWriter(77, 'w0077');
  const pages = [await renderCheque(w, { sampleIndex: 1 }), await renderCheque(w, { sampleIndex: 2, kind: 'skilled' })];
  writeFileSync(
    file,
    await sharp(
      pages.map((p) => p.data),
      { join: { animated: true } },
    )
      .tiff({ compression: 'lzw', xres: 200 / 25.4, yres: 200 / 25.4 })
      .toBuffer(),
  );
  return pages.map((p) => p.box);
}

export function iou(a: readonly number[], b: readonly number[]): number {
  const x0 = Math.max(a[0]!, b[0]!);
  const y0 = Math.max(a[1]!, b[1]!);
  const x1 = Math.min(a[0]! + a[2]!, b[0]! + b[2]!);
  const y1 = Math.min(a[1]! + a[3]!, b[1]! + b[3]!);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  const union = a[2]! * a[3]! + b[2]! * b[3]! - inter;
  return union > 0 ? inter / union : 0;
}
