// core/app/documents.ts DisplayImages: the store is read on a miss only; what is missing is named.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { DisplayImages } from '../../../src-main/core/app/documents.ts';
import { openStore } from '../../../src-main/core/store/index.ts';
import { tempDir } from '../../helpers/store.ts';

test('DisplayImages serves a repeated request from its cache without asking for the store', async () => {
  const store = openStore(path.join(tempDir('cs-app-images-'), 'data'), { client: 'cli' });
  after(() => store.close());
  const png = await sharp({ create: { width: 40, height: 20, channels: 3, background: '#808080' } })
    .png()
    .toBuffer();
  const sha = store.objects.put(png);
  let opened = 0;
  const images = new DisplayImages(() => (opened++, store));

  const first = await images.get({ sha256: sha });
  assert.deepEqual([first.mime, first.width, first.height, opened], ['image/png', 40, 20, 1]);
  assert.equal(await images.get({ sha256: sha }), first, 'the same image, from the cache');
  assert.equal(opened, 1);
  const small = await images.get({ sha256: sha, maxWidth: 16 });
  assert.deepEqual([small.width, small.originalWidth, opened], [16, 40, 2], 'another size is another entry');

  const missing = 'f'.repeat(64);
  await assert.rejects(
    images.get({ sha256: missing }),
    (err: Error & { code?: string }) => err.code === 'NOT_FOUND' && err.message === `sha256: no object ${missing} in the object store`,
  );
});
