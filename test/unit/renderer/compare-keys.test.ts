import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COMPARE_SHORTCUTS, compareAction } from '../../../src-renderer/src/lib/compare-keys.ts';

const ev = (key: string, over: Partial<Parameters<typeof compareAction>[0]> = {}) => ({
  key,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  defaultPrevented: false,
  target: null,
  ...over,
});

test('single keys map to the comparison actions', () => {
  assert.equal(compareAction(ev('n')), 'next-item');
  assert.equal(compareAction(ev('P')), 'prev-item');
  assert.equal(compareAction(ev(']')), 'next-ref');
  assert.equal(compareAction(ev('[')), 'prev-ref');
  assert.equal(compareAction(ev('2')), 'bench-scale');
  assert.equal(compareAction(ev('?')), 'help');
  assert.equal(compareAction(ev('a')), 'approve');
  assert.equal(compareAction(ev('x')), null);
});

test('modifier keys, keys already handled and keys typed into fields are left alone', () => {
  // Alt+1..6 are the app's view keys.
  assert.equal(compareAction(ev('1', { altKey: true })), null);
  assert.equal(compareAction(ev('n', { ctrlKey: true })), null);
  assert.equal(compareAction(ev('n', { metaKey: true })), null);
  assert.equal(compareAction(ev('0', { defaultPrevented: true })), null);
  const field = { closest: (sel: string) => (sel.includes('input') ? {} : null), isContentEditable: false };
  assert.equal(compareAction(ev('n', { target: field as unknown as EventTarget })), null);
  const button = { closest: () => null, isContentEditable: false };
  assert.equal(compareAction(ev('n', { target: button as unknown as EventTarget })), 'next-item');
});

test('no key is bound twice and every shortcut has a description', () => {
  const keys = COMPARE_SHORTCUTS.flatMap((s) => s.keys);
  assert.equal(new Set(keys).size, keys.length);
  for (const s of COMPARE_SHORTCUTS) assert.ok(s.what.length > 5 && s.label.length > 0, s.action);
});
