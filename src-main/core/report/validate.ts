import { AppError } from '../errors.ts';
import type { ReportInput } from './types.ts';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const DECISIONS = new Set(['supports genuine', 'supports not genuine', 'inconclusive']);

/**
 * Checks a ReportInput before anything is drawn, so a bad field fails with its path
 * ("items[3].references[0].distance: expected a finite number") instead of a half-written PDF.
 */
export function validateReportInput(input: ReportInput): void {
  const fail = (field: string, msg: string): never => {
    throw new AppError('INVALID_ARGUMENT', `report input ${field}: ${msg}`);
  };
  const str = (v: unknown, field: string) => {
    if (typeof v !== 'string') fail(field, 'expected a string');
  };
  const num = (v: unknown, field: string) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(field, 'expected a finite number');
  };
  const numOrNull = (v: unknown, field: string) => {
    if (v !== null) num(v, field);
  };
  const date = (v: unknown, field: string) => {
    str(v, field);
    if (Number.isNaN(Date.parse(v as string))) fail(field, `not an ISO 8601 date: ${String(v)}`);
  };
  const png = (v: unknown, field: string) => {
    if (!(v instanceof Uint8Array) || v.length < 8 || !PNG_SIGNATURE.equals(Buffer.from(v.subarray(0, 8)))) {
      fail(field, 'expected a PNG image buffer');
    }
  };

  if (!input || typeof input !== 'object') fail('', 'expected an object');
  const c = input.case;
  if (!c) fail('case', 'missing');
  for (const k of ['id', 'name', 'examiner', 'notes'] as const) str(c[k], `case.${k}`);
  num(c.threshold, 'case.threshold');
  if (c.inconclusiveBand !== null) {
    num(c.inconclusiveBand?.low, 'case.inconclusiveBand.low');
    num(c.inconclusiveBand?.high, 'case.inconclusiveBand.high');
    if (c.inconclusiveBand.low > c.inconclusiveBand.high) fail('case.inconclusiveBand', 'low is above high');
  }
  date(c.createdAt, 'case.createdAt');
  date(input.generatedAt, 'generatedAt');
  str(input.propositions?.hp, 'propositions.hp');
  str(input.propositions?.hd, 'propositions.hd');
  str(input.appVersion, 'appVersion');
  if (!Array.isArray(input.items)) fail('items', 'expected an array');

  input.items.forEach((it, i) => {
    const p = `items[${i}]`;
    for (const k of ['documentId', 'documentLabel', 'claimedSubject', 'verbal'] as const) str(it[k], `${p}.${k}`);
    png(it.questionedPng, `${p}.questionedPng`);
    if (it.contextPng !== null) png(it.contextPng, `${p}.contextPng`);
    if (!Array.isArray(it.references)) fail(`${p}.references`, 'expected an array');
    it.references.forEach((r, j) => {
      str(r.signatureId, `${p}.references[${j}].signatureId`);
      str(r.label, `${p}.references[${j}].label`);
      png(r.png, `${p}.references[${j}].png`);
      num(r.distance, `${p}.references[${j}].distance`);
    });
    str(it.aggregate?.method, `${p}.aggregate.method`);
    num(it.aggregate?.value, `${p}.aggregate.value`);
    for (const k of ['min', 'median', 'max'] as const) num(it.kkSpread?.[k], `${p}.kkSpread.${k}`);
    if (!Array.isArray(it.kkSpread.values)) fail(`${p}.kkSpread.values`, 'expected an array');
    it.kkSpread.values.forEach((v, j) => num(v, `${p}.kkSpread.values[${j}]`));
    numOrNull(it.qPercentile, `${p}.qPercentile`);
    numOrNull(it.log10Lr, `${p}.log10Lr`);
    if (!DECISIONS.has(it.decision)) fail(`${p}.decision`, `unknown decision "${String(it.decision)}"`);
    if (!Array.isArray(it.warnings)) fail(`${p}.warnings`, 'expected an array');
    it.warnings.forEach((w, j) => {
      str(w.code, `${p}.warnings[${j}].code`);
      str(w.message, `${p}.warnings[${j}].message`);
    });
    if (it.bench !== undefined) validateBench(it.bench, `${p}.bench`, fail);
  });

  (input.excluded ?? []).forEach((e, j) => {
    for (const k of ['path', 'role', 'subject', 'reason'] as const) str(e[k], `excluded[${j}].${k}`);
  });
  (input.corrections ?? []).forEach((e, j) => {
    for (const k of ['documentLabel', 'before', 'after'] as const) str(e[k], `corrections[${j}].${k}`);
    date(e.at, `corrections[${j}].at`);
    if (e.beforePng !== null) png(e.beforePng, `corrections[${j}].beforePng`);
    if (e.afterPng !== null) png(e.afterPng, `corrections[${j}].afterPng`);
  });
  if (input.series) {
    num(input.series.cut, 'series.cut');
    for (const k of ['linkage', 'cutSource', 'basis'] as const) str(input.series[k], `series.${k}`);
    input.series.groups.forEach((g, j) => {
      g.members.forEach((m, k) => str(m.documentLabel, `series.groups[${j}].members[${k}].documentLabel`));
      if (g.within) for (const f of ['mean', 'max'] as const) num(g.within[f], `series.groups[${j}].within.${f}`);
    });
  }
  (input.thresholdHistory ?? []).forEach((e, j) => {
    date(e.at, `thresholdHistory[${j}].at`);
    numOrNull(e.old, `thresholdHistory[${j}].old`);
    numOrNull(e.new, `thresholdHistory[${j}].new`);
    if (e.reason !== null) str(e.reason, `thresholdHistory[${j}].reason`);
    numOrNull(e.resultsSeen, `thresholdHistory[${j}].resultsSeen`);
  });

  const m = input.model;
  if (!m) fail('model', 'missing');
  for (const k of ['id', 'name', 'version', 'sha256', 'architecture', 'backend'] as const) str(m[k], `model.${k}`);
  num(m.metrics?.eer, 'model.metrics.eer');
  num(m.metrics?.auc, 'model.metrics.auc');
  numOrNull(m.metrics.cllr, 'model.metrics.cllr');
  numOrNull(m.metrics.cllrMin, 'model.metrics.cllrMin');
  if (m.scoreDistributions) {
    m.scoreDistributions.genuine.forEach((v, j) => num(v, `model.scoreDistributions.genuine[${j}]`));
    m.scoreDistributions.impostor.forEach((v, j) => num(v, `model.scoreDistributions.impostor[${j}]`));
  }
  if (m.det) {
    if (m.det.far.length !== m.det.frr.length) fail('model.det', 'far and frr differ in length');
    m.det.far.forEach((v, j) => num(v, `model.det.far[${j}]`));
    m.det.frr.forEach((v, j) => num(v, `model.det.frr[${j}]`));
  }
  if (!Array.isArray(input.integrity?.inputs)) fail('integrity.inputs', 'expected an array');
  input.integrity.inputs.forEach((f, j) => {
    str(f.path, `integrity.inputs[${j}].path`);
    str(f.sha256, `integrity.inputs[${j}].sha256`);
    str(f.role, `integrity.inputs[${j}].role`);
  });
  if (input.integrity.auditHeadHash !== null) str(input.integrity.auditHeadHash, 'integrity.auditHeadHash');
  const seq = input.integrity.auditHeadSeq;
  if (seq !== undefined && seq !== null && !(Number.isInteger(seq) && seq > 0)) fail('integrity.auditHeadSeq', 'expected a positive integer or null');
  const key = input.integrity.installationKey;
  if (key) {
    str(key.publicKey, 'integrity.installationKey.publicKey');
    str(key.fingerprint, 'integrity.installationKey.fingerprint');
  }
  const hs = input.integrity.headSignature;
  if (hs) {
    if (!(Number.isInteger(hs.seq) && hs.seq > 0)) fail('integrity.headSignature.seq', 'expected a positive integer');
    str(hs.hash, 'integrity.headSignature.hash');
    str(hs.publicKey, 'integrity.headSignature.publicKey');
    str(hs.signature, 'integrity.headSignature.signature');
  }
}

const MARKS = new Set(['arrow', 'circle', 'text']);
const MEASURES: Record<string, string> = { length: 'mm', angle: 'deg', height_ratio: 'ratio', baseline: 'deg' };

function validateBench(b: NonNullable<ReportInput['items'][number]['bench']>, p: string, fail: (field: string, msg: string) => never): void {
  const finite = (v: unknown, field: string) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(field, 'expected a finite number');
  };
  const point = (v: unknown, field: string) => {
    if (!Array.isArray(v) || v.length !== 2) fail(field, 'expected a point [x, y]');
    finite((v as number[])[0], `${field}[0]`);
    finite((v as number[])[1], `${field}[1]`);
  };
  const text = (v: unknown, field: string) => {
    if (typeof v !== 'string') fail(field, 'expected a string');
  };
  if (typeof b.questionedSignatureId !== 'string') fail(`${p}.questionedSignatureId`, 'expected a string');
  for (const [id, size] of Object.entries(b.imageSizes ?? {})) {
    if (!(Number.isInteger(size.width) && size.width > 0 && Number.isInteger(size.height) && size.height > 0))
      fail(`${p}.imageSizes.${id}`, 'expected a positive pixel size');
  }
  b.marks.forEach((m, j) => {
    const f = `${p}.marks[${j}]`;
    text(m.label, `${f}.label`);
    text(m.on, `${f}.on`);
    if (!MARKS.has(m.kind)) fail(`${f}.kind`, `unknown mark "${String(m.kind)}"`);
    if (!b.imageSizes[m.signatureId]) fail(`${f}.signatureId`, `no image size for signature ${m.signatureId}`);
    const g = m.geometry as Record<string, unknown>;
    if (m.kind === 'arrow') {
      point(g.from, `${f}.geometry.from`);
      point(g.to, `${f}.geometry.to`);
    } else if (m.kind === 'circle') {
      point(g.center, `${f}.geometry.center`);
      finite(g.radius, `${f}.geometry.radius`);
    } else point(g.at, `${f}.geometry.at`);
    if (m.text !== null) text(m.text, `${f}.text`);
  });
  b.measurements.forEach((m, j) => {
    const f = `${p}.measurements[${j}]`;
    text(m.label, `${f}.label`);
    text(m.on, `${f}.on`);
    if (MEASURES[m.kind] === undefined) fail(`${f}.kind`, `unknown measurement "${String(m.kind)}"`);
    if (MEASURES[m.kind] !== m.unit) fail(`${f}.unit`, `a ${m.kind} is in ${MEASURES[m.kind]}, not "${String(m.unit)}"`);
    finite(m.value, `${f}.value`);
    if (!b.imageSizes[m.signatureId]) fail(`${f}.signatureId`, `no image size for signature ${m.signatureId}`);
    m.points.forEach((pt, k) => point(pt, `${f}.points[${k}]`));
    if (m.dpi !== null) finite(m.dpi, `${f}.dpi`);
    if (m.what !== null) text(m.what, `${f}.what`);
  });
  b.notes.forEach((n, j) => {
    text(n.on, `${p}.notes[${j}].on`);
    text(n.text, `${p}.notes[${j}].text`);
  });
  b.alignments.forEach((a, j) => {
    const f = `${p}.alignments[${j}]`;
    text(a.on, `${f}.on`);
    for (const k of ['dxMm', 'dyMm', 'rotationDeg', 'scale'] as const) finite(a[k], `${f}.${k}`);
    if (a.opacity !== null) finite(a.opacity, `${f}.opacity`);
  });
}
