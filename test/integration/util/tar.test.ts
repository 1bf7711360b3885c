// util/tar.ts: the one tar reader and writer (tar-stream) for backups and model bundles. It
// reads archives written by the hand-written writers it replaced (fixtures made by them) and by
// the system tar, and refuses hostile entries from their headers, naming the entry.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, linkSync, mkdirSync, openSync, readFileSync, symlinkSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { readTar, TarWriter, writeTarFile, type ReadTarOptions } from '../../../src-main/core/util/tar.ts';
import { sparseTar } from '../../helpers/sparse-tar.ts';
import { rejectsCode, tempDir } from '../../helpers/store.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/tar');
const hasTar = existsSync('/usr/bin/tar') || existsSync('/bin/tar');

async function entries(file: string, opts?: ReadTarOptions): Promise<{ name: string; size: number; mode: number; data: Buffer }[]> {
  const out: { name: string; size: number; mode: number; data: Buffer }[] = [];
  await readTar(
    file,
    async (e, data) => {
      const chunks: Buffer[] = [];
      for await (const c of data) chunks.push(c);
      out.push({ ...e, data: Buffer.concat(chunks) });
    },
    opts,
  );
  return out;
}

/** The bytes the fixture generator wrote (i * 7 + 3, 1500 of them). */
const pattern = Buffer.from(Array.from({ length: 1500 }, (_, i) => (i * 7 + 3) & 0xff));

describe('archives written by the old hand-written writers still read', () => {
  it('a backup-writer archive: long name split into prefix and name, an empty entry, a read-only mode', async () => {
    const got = await entries(path.join(FIXTURES, 'old-backup-writer.tar'));
    const long = `objects/${'d'.repeat(40)}/${'e'.repeat(62)}/${'f'.repeat(20)}`;
    assert.deepEqual(
      got.map((e) => [e.name, e.size, e.mode]),
      [
        ['manifest.json', 32, 0o644],
        ['countersign.db', 1500, 0o644],
        ['empty', 0, 0o644],
        [long, 1500, 0o400],
      ],
    );
    assert.equal(got[0]!.data.toString(), '{"format":"countersign-backup"}\n');
    assert.deepEqual(got[1]!.data, pattern);
    assert.deepEqual(got[3]!.data, pattern);
  });

  it('a bundle-writer archive, including a 120-character folder name', async () => {
    const got = await entries(path.join(FIXTURES, 'old-bundle-writer.tar'));
    assert.deepEqual(
      got.map((e) => e.name),
      ['tiny-v1/metadata.json', 'tiny-v1/weights.bin', `${'m'.repeat(120)}/weights.bin`],
    );
    assert.deepEqual(got[1]!.data, pattern);
    assert.equal(got[2]!.data.toString(), 'x');
  });
});

describe('writer', () => {
  it('round-trips, hashes what it wrote, and the system tar lists the same entries', async () => {
    const dir = tempDir();
    const src = path.join(dir, 'src.bin');
    const big = Buffer.alloc(3 * 1024 * 1024 + 17, 0);
    for (let i = 0; i < big.length; i += 4093) big[i] = i & 0xff;
    writeFileSync(src, big);
    const file = path.join(dir, 'a.tar');
    const w = await TarWriter.create(file);
    await w.addBuffer('manifest.json', Buffer.from('{}'));
    const seen = createHash('sha256');
    assert.equal(await w.addFile(`objects/ab/${'c'.repeat(150)}`, src, { mode: 0o400, onChunk: (c) => seen.update(c) }), big.length);
    const { size, sha256 } = await w.finish();
    const bytes = readFileSync(file);
    assert.equal(size, bytes.length);
    assert.equal(sha256, createHash('sha256').update(bytes).digest('hex'));
    assert.equal(seen.digest('hex'), createHash('sha256').update(big).digest('hex'));
    const got = await entries(file);
    assert.deepEqual(
      got.map((e) => [e.name, e.size, e.mode]),
      [
        ['manifest.json', 2, 0o644],
        [`objects/ab/${'c'.repeat(150)}`, big.length, 0o400],
      ],
    );
    assert.ok(got[1]!.data.equals(big));
    if (hasTar)
      assert.deepEqual(execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).trim().split('\n'), ['manifest.json', `objects/ab/${'c'.repeat(150)}`]);
    await assert.rejects(TarWriter.create(file), { code: 'EEXIST' }, 'never replaces a file');
  });

  it('writeTarFile with a fixed mtime gives the same bytes twice', async () => {
    const dir = tempDir();
    const e = [{ name: 'm/metadata.json', data: Buffer.from('{"a":1}') }];
    await writeTarFile(path.join(dir, 'a.tar'), e, { mtime: 1767225600 });
    await writeTarFile(path.join(dir, 'b.tar'), e, { mtime: 1767225600 });
    assert.ok(readFileSync(path.join(dir, 'a.tar')).equals(readFileSync(path.join(dir, 'b.tar'))));
  });

  it('refuses an entry name that could escape', async () => {
    const dir = tempDir();
    for (const name of ['../x', '/etc/passwd', 'a/../../b'])
      await rejectsCode(writeTarFile(path.join(dir, 'x.tar'), [{ name, data: Buffer.alloc(1) }]), 'INVALID_ARGUMENT', name);
  });
});

describe('archives made by the system tar', { skip: !hasTar && 'no tar here' }, () => {
  it('reads GNU and ustar archives, skipping directories and ./', async () => {
    const dir = tempDir();
    const root = path.join(dir, 'tree');
    const deep = path.join(root, 'model', 'x'.repeat(60), 'y'.repeat(60));
    mkdirSync(deep, { recursive: true });
    writeFileSync(path.join(root, 'model', 'metadata.json'), '{}');
    writeFileSync(path.join(deep, 'weights.bin'), pattern);
    for (const format of ['gnu', 'ustar', 'pax']) {
      const file = path.join(dir, `${format}.tar`);
      execFileSync('tar', [`--format=${format}`, '--sort=name', '-cf', file, '-C', root, '.']);
      const got = await entries(file);
      assert.deepEqual(
        got.map((e) => e.name),
        ['model/metadata.json', `model/${'x'.repeat(60)}/${'y'.repeat(60)}/weights.bin`],
        format,
      );
      assert.deepEqual(got[1]!.data, pattern);
    }
  });

  it('refuses a symbolic link and a hard link, naming the entry and its target', async () => {
    const dir = tempDir();
    const root = path.join(dir, 'tree');
    mkdirSync(root);
    writeFileSync(path.join(root, 'a'), 'a');
    symlinkSync('/etc/passwd', path.join(root, 'link'));
    execFileSync('tar', ['-cf', path.join(dir, 's.tar'), '-C', root, 'a', 'link']);
    await rejectsCode(entries(path.join(dir, 's.tar')), 'INTEGRITY', 'entry link is a symbolic link to /etc/passwd; a tar archive holds regular files only');
    linkSync(path.join(root, 'a'), path.join(root, 'b'));
    execFileSync('tar', ['-cf', path.join(dir, 'h.tar'), '-C', root, 'a', 'b']); // b is stored as a hard link to a
    await rejectsCode(
      entries(path.join(dir, 'h.tar'), { what: 'model bundle', code: 'INVALID_ARGUMENT' }),
      'INVALID_ARGUMENT',
      'entry b is a hard link to a; a model bundle holds regular files only',
    );
  });

  it('refuses a GNU sparse file as an unsupported type, naming it', async () => {
    const dir = tempDir();
    const root = path.join(dir, 'tree');
    mkdirSync(root);
    writeFileSync(path.join(root, 'holes.bin'), '');
    truncateSync(path.join(root, 'holes.bin'), 0);
    const fd = openSync(path.join(root, 'holes.bin'), 'r+');
    writeSync(fd, Buffer.from('end'), 0, 3, 1024 * 1024); // a megabyte of hole, then data
    closeSync(fd);
    execFileSync('tar', ['--format=gnu', '--sparse', '-cf', path.join(dir, 'sparse.tar'), '-C', root, 'holes.bin']);
    await rejectsCode(
      entries(path.join(dir, 'sparse.tar'), { what: 'backup' }),
      'INTEGRITY',
      'entry holes.bin is of an unsupported tar type (a GNU sparse file',
    );
  });
});

/** A one-entry archive whose header is patched by `patch` (the checksum recomputed). */
function patched(file: string, name: string, patch: (h: Buffer) => void): string {
  sparseTar(file, [{ name, data: Buffer.from('data') }]);
  const bytes = readFileSync(file);
  const h = bytes.subarray(0, 512);
  patch(h);
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  writeFileSync(file, bytes);
  return file;
}

describe('hostile archives are refused from their headers', () => {
  it('names that escape: .., an absolute path, a backslash', async () => {
    const dir = tempDir();
    for (const [name, why] of [
      ['../../etc/cron.d/x', "contains '..'"],
      ['a/../../x', "contains '..'"],
      ['/etc/passwd', 'is an absolute path'],
      ['C:/Windows/x', 'is an absolute path'],
      ['a\\..\\x', 'contains a backslash'],
    ] as const) {
      const file = sparseTar(path.join(dir, 'x.tar'), [{ name, data: Buffer.from('x') }]);
      await rejectsCode(entries(file), 'INTEGRITY', `entry ${JSON.stringify(name)} ${why}; refused`);
    }
  });

  it('device, fifo and unknown type flags', async () => {
    const dir = tempDir();
    for (const [flag, what] of [
      ['3', 'a character device'],
      ['4', 'a block device'],
      ['6', 'a fifo'],
      ['S', 'of an unsupported tar type'],
      ['V', 'of an unsupported tar type'],
    ] as const) {
      const file = patched(path.join(dir, `t${flag}.tar`), 'dev', (h) => (h[156] = flag.charCodeAt(0)));
      await rejectsCode(entries(file), 'INTEGRITY', `entry dev is ${what}`);
    }
  });

  it('a duplicate entry', async () => {
    const file = sparseTar(path.join(tempDir(), 'd.tar'), [
      { name: 'manifest.json', data: Buffer.from('{}') },
      { name: './manifest.json', data: Buffer.from('{}') },
    ]);
    await rejectsCode(entries(file), 'INTEGRITY', 'entry manifest.json appears twice');
  });

  it('too many entries, an entry over its limit, more than the total limit', async () => {
    const dir = tempDir();
    const many = sparseTar(
      path.join(dir, 'many.tar'),
      Array.from({ length: 5 }, (_, i) => ({ name: `f${i}`, data: Buffer.from('x') })),
    );
    await rejectsCode(
      entries(many, { what: 'model bundle', code: 'INVALID_ARGUMENT', maxEntries: 4 }),
      'INVALID_ARGUMENT',
      'not a model bundle (more than 4 entries)',
    );
    const huge = sparseTar(path.join(dir, 'huge.tar'), [{ name: 'w', size: 3e9 }]);
    const rss = process.memoryUsage().rss;
    await rejectsCode(
      entries(huge, { maxEntryBytes: 1024 * 1024 }),
      'INTEGRITY',
      'entry w is 2861.0 MiB; an entry of a tar archive is at most 1.0 MiB; nothing was read',
    );
    assert.ok(process.memoryUsage().rss - rss < 64 * 1024 * 1024, 'bounded memory');
    await rejectsCode(entries(many, { maxTotalBytes: 3 }), 'INTEGRITY', 'up to f3 hold more than 3 bytes');
  });

  it('a header claiming more than the file holds, a cut archive, a missing end marker, damage', async () => {
    const dir = tempDir();
    const claims = patched(path.join(dir, 'claims.tar'), 'db', (h) => h.write('77777777777\0', 124));
    await rejectsCode(entries(claims), 'INTEGRITY', 'the tar archive is truncated (entry db claims 8589934591 bytes, the file ends before)');

    const good = readFileSync(path.join(FIXTURES, 'old-backup-writer.tar'));
    writeFileSync(path.join(dir, 'cut.tar'), good.subarray(0, 512 + 512 + 512 + 700)); // inside countersign.db
    await rejectsCode(entries(path.join(dir, 'cut.tar')), 'INTEGRITY', 'truncated');
    writeFileSync(path.join(dir, 'no-end.tar'), good.subarray(0, good.length - 1024 - 2048)); // at an entry boundary
    await rejectsCode(entries(path.join(dir, 'no-end.tar')), 'INTEGRITY', 'no end-of-archive marker');

    const bad = Buffer.from(good);
    bad[512 + 512 + 5] = (bad[512 + 512 + 5] ?? 0) ^ 0x20; // the second header's name
    writeFileSync(path.join(dir, 'bad.tar'), bad);
    await rejectsCode(entries(path.join(dir, 'bad.tar')), 'INTEGRITY', 'damaged tar archive (bad tar header after entry manifest.json');
    writeFileSync(path.join(dir, 'b.tar.gz'), gzipSync(good));
    await rejectsCode(entries(path.join(dir, 'b.tar.gz'), { what: 'backup' }), 'INTEGRITY', 'the backup is gzip-compressed; decompress it (gunzip)');
    writeFileSync(path.join(dir, 'junk.tar'), Buffer.alloc(4096, 7));
    await rejectsCode(entries(path.join(dir, 'junk.tar'), { what: 'backup' }), 'INTEGRITY', 'damaged backup');
  });

  it('an error thrown while reading an entry passes through unchanged; unread data is skipped', async () => {
    const file = path.join(FIXTURES, 'old-backup-writer.tar');
    await assert.rejects(
      readTar(file, async (e) => {
        if (e.name === 'countersign.db') throw new Error('mine');
      }),
      { message: 'mine' },
    );
    const names: string[] = [];
    await readTar(file, async (e, data) => {
      names.push(e.name);
      for await (const c of data) if (c.length) break; // reads one chunk at most
    });
    assert.equal(names.length, 4);
  });
});
