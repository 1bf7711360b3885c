// Labelled-data manifests (model/dataset.ts, read with csv-parse): a byte-order mark, quoted
// fields holding commas, quotes and line breaks, and every refusal naming the file and the line.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseManifestCsv, readLabelledData } from '../../../src-main/core/model/dataset.ts';
import { tempDir } from '../../helpers/store.ts';

const root = tempDir('cs-dataset-');
let n = 0;

/** A folder with these (empty) image files and a manifest.csv of `text`; returns the manifest's path. */
function manifest(text: string, files: string[] = []): string {
  const dir = path.join(root, `d${++n}`);
  for (const f of files) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), '');
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'manifest.csv'), text);
  return path.join(dir, 'manifest.csv');
}

const refused = (file: string, message: RegExp) =>
  assert.throws(
    () => readLabelledData(file),
    (e: Error & { code?: string }) => {
      assert.equal(e.code, 'INVALID_ARGUMENT');
      assert.ok(e.message.startsWith(`${file}: `), e.message);
      assert.match(e.message, message);
      return true;
    },
  );

describe('manifest.csv', () => {
  it('ignores a UTF-8 byte-order mark before the header', () => {
    const file = manifest('\uFEFFpath,writer,label\nw1/a.png,w1,genuine\nw1/b.png,w1,forged\n', ['w1/a.png', 'w1/b.png']);
    const d = readLabelledData(file);
    assert.deepEqual(
      d.items.map((i) => [i.rel, i.writer, i.label]),
      [
        ['w1/a.png', 'w1', 'genuine'],
        ['w1/b.png', 'w1', 'forged'],
      ],
    );
  });

  it('reads quoted fields holding commas, doubled quotes and line breaks, with CRLF line ends', () => {
    const file = manifest(
      'path,writer,label\r\n"w1/a, copy.png","Smith, J.",genuine\r\n"w1/say ""hi"".png",w2,"forged"\r\n"w1/two\r\nlines.png",w3,genuine\r\n',
      ['w1/a, copy.png', 'w1/say "hi".png', 'w1/two\r\nlines.png'],
    );
    const d = readLabelledData(file);
    assert.deepEqual(
      d.items.map((i) => [i.rel, i.writer, i.label]),
      [
        ['w1/a, copy.png', 'Smith, J.', 'genuine'],
        ['w1/say "hi".png', 'w2', 'forged'],
        ['w1/two\r\nlines.png', 'w3', 'genuine'],
      ],
    );
    assert.deepEqual(d.writers, ['Smith, J.', 'w2', 'w3']);
  });

  it('counts lines as the file has them: blank lines, and a record after a quoted line break', () => {
    const rows = parseManifestCsv('path,writer,label\n\n  \n"a\nb.png",w1,genuine\nc.png,w2,forged\n', 'm.csv');
    assert.deepEqual(
      rows.map((r) => r.line),
      [1, 4, 6],
    );
    assert.deepEqual(rows[1]!.fields, ['a\nb.png', 'w1', 'genuine']);
    const file = manifest('path,writer,label\n"w1/a\nb.png",w1,genuine\nw1/c.png,w1,maybe\n', ['w1/a\nb.png', 'w1/c.png']);
    refused(file, /: line 4: label must be 'genuine' or 'forged', got 'maybe'$/);
  });

  it('keeps its refusals, each naming the file and the line', () => {
    refused(manifest('file,writer,label\na.png,w1,genuine\n'), /: line 1: the header must name the columns path,writer,label \(found 'file,writer,label'\)$/);
    refused(manifest('', []), /: line 1: the header must name the columns path,writer,label \(found ''\)$/);
    refused(manifest('path,writer,label\n,w1,genuine\n'), /: line 2: path is empty$/);
    refused(manifest('path,writer,label\na.png,,genuine\n', ['a.png']), /: line 2: writer is empty$/);
    refused(manifest('path,writer,label\na.png,w1\n', ['a.png']), /: line 2: label must be 'genuine' or 'forged', got ''$/);
    refused(manifest('path,writer,label\na.png,w1,genuine\n\nmissing.png,w1,forged\n', ['a.png']), /: line 4: missing\.png: no such file$/);
  });

  it('a quote left open, or text after a closing quote, is refused naming the file and the line', () => {
    refused(manifest('path,writer,label\na.png,w1,genuine\n"b.png,w1,forged\nc.png,w1,genuine\n', ['a.png']), /: line 3: a quoted field is never closed/);
    refused(manifest('path,writer,label\n\n \n"b.png,w1,forged\n'), /: line 4: a quoted field is never closed/);
    refused(manifest('path,writer,label\n"a.png"x,w1,genuine\n', ['a.png']), /: line 2: Invalid Closing Quote/);
  });

  it('a stray quote inside an unquoted field is part of the name', () => {
    const d = readLabelledData(manifest('path,writer,label\nit"s.png,w1,genuine\n', ['it"s.png']));
    assert.equal(d.items[0]!.rel, 'it"s.png');
  });
});
