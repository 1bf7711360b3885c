// The main job as a newcomer runs it: `countersign demo` on a fresh data directory with
// nothing set up but the shipped base model.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { cli, lastJson, tempDir } from '../../helpers/cli.ts';
import { pdfPages } from '../../helpers/poppler.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

describe('countersign demo', () => {
  const tmp = tempDir('countersign-demo-');
  after(() => tmp.cleanup());
  // The shipped resources, base model included (scripts/test.mjs hides the models from other tests).
  const shipped = process.env.COUNTERSIGN_SHIPPED_RESOURCES ?? path.resolve(import.meta.dirname, '../../../resources');
  const env = { COUNTERSIGN_HOME: path.join(tmp.dir, 'home'), COUNTERSIGN_RESOURCES: shipped };
  const out = path.join(tmp.dir, 'out');
  const run = () => cli(['demo', '--out', out, '--subjects', '3', '--known', '4', '--questioned', '2', '--json'], { env, timeoutMs: 600_000 });

  it('generates, imports, verifies every questioned cheque with the base model and writes the report', () => {
    const r = run();
    assert.equal(r.status, 0, r.stderr);
    const d = lastJson<Json>(r);
    const truth = JSON.parse(readFileSync(path.join(out, 'case', 'truth.json'), 'utf8')) as Record<string, { genuine: boolean }>;
    assert.equal(d.import.failed, 0);
    assert.equal(d.verify.items.length, Object.keys(truth).length, 'every questioned cheque compared');
    assert.match(d.verify.model.id, /^signet-/, 'the shipped base model');
    for (const it of d.verify.items) {
      assert.ok(it.document in truth, `${it.document} is a questioned file of the case`);
      assert.equal(typeof it.llr, 'number', 'the base model is calibrated');
      assert.match(it.verbal, /support/);
    }
    assert.equal(d.agreement.right + d.agreement.wrong + d.agreement.inconclusive, d.verify.items.length);
    const pdf = readFileSync(d.report.path);
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    const text = pdfPages(pdf).join('\n');
    assert.ok(text.includes(d.verify.case.name));
    assert.ok(text.includes(d.verify.model.sha256));
    for (const it of d.verify.items) assert.ok(text.includes(it.document), `${it.document} in the report`);
  });

  it('a second run reuses the folder and the case: nothing imported twice, a new verification recorded', () => {
    const d = lastJson<Json>(run());
    assert.equal(d.import.imported, 0);
    assert.ok(d.import.skipped > 0);
    assert.equal(lastJson<Json>(cli(['audit', 'verify', '--json'], { env })).ok, true);
    const cases = lastJson<Json[]>(cli(['case', 'list', '--json'], { env }));
    assert.equal(cases.length, 1);
  });
});
