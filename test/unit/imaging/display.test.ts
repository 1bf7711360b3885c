// imaging/display.ts: the cache of images made ready for display.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ImageCache, type DisplayImage } from '../../../src-main/core/imaging/display.ts';

const image = (bytes: number): DisplayImage => ({ bytes: Buffer.alloc(bytes), mime: 'image/png', width: 1, height: 1, originalWidth: 1, originalHeight: 1 });

test('ImageCache drops the least recently used first once over its budget', () => {
  const cache = new ImageCache(1000);
  cache.set('a', image(200));
  cache.set('b', image(200));
  cache.set('c', image(200));
  assert.ok(cache.get('a'), 'a is now the most recently used');
  cache.set('d', image(200));
  cache.set('e', image(200));
  assert.equal(cache.size, 1000);
  cache.set('f', image(200));
  assert.equal(cache.get('b'), undefined, 'b was the least recently used');
  assert.deepEqual(
    ['a', 'c', 'd', 'e', 'f'].map((k) => cache.get(k) !== undefined),
    [true, true, true, true, true],
  );
  assert.equal(cache.size, 1000);
});

test('ImageCache keeps no image above a quarter of its budget', () => {
  const cache = new ImageCache(1000);
  cache.set('big', image(251));
  assert.equal(cache.get('big'), undefined);
  assert.equal(cache.size, 0);
  cache.set('fits', image(250));
  assert.ok(cache.get('fits'));
});

test('ImageCache counts an image stored twice under one key once (two requests that both missed)', () => {
  const cache = new ImageCache(1000);
  for (let i = 0; i < 10; i++) cache.set('same', image(200));
  assert.equal(cache.size, 200);
  for (const k of ['a', 'b', 'c', 'd']) cache.set(k, image(200));
  assert.ok(cache.get('same'), 'still cached: five images of 200 fit in 1000');
});
