/**
 * ReportInputs for the report tests: seeded signature-like strokes drawn with sharp's
 * SVG renderer, cheque-like context images with the crop box drawn, and plausible
 * figures (distances, K-K spread, LR, decisions, warnings). Images are made once per
 * subject/reference and reused, as the real case data would be.
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import type { ReportDecision, ReportInput, ReportItem } from '../../src-main/core/report/index.ts';
import { DEFAULT_PROPOSITIONS } from '../../src-main/core/report/index.ts';
import { Rng } from '../../src-main/core/util/random.ts';
import { defaultPropositions, verbalEquivalent } from '../../src-main/core/verify/verbal.ts';

export const SUBJECTS = [
  'Zoë Ωμέγα Жанна',
  'Alice Smith',
  'Ελένη Παπαδοπούλου',
  'Жанна Иванова',
  'José Núñez',
  'Łukasz Żółć',
  'Margaret O\u2019Brien',
  'Дмитрий Соколов',
];

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** A cursive-looking path for a writer (shape seed) with per-sample variation. */
function signatureSvg(shapeSeed: number, sampleSeed: number, w: number, h: number, ink = '#1a2340'): string {
  const shape = new Rng(shapeSeed);
  const v = new Rng(sampleSeed);
  const loops = shape.int(5, 10);
  const amp = h * shape.uniform(0.22, 0.36);
  const phase = shape.uniform(0, Math.PI);
  const slant = shape.uniform(0.1, 0.5);
  const pts: string[] = [];
  const step = (w * 0.8) / loops;
  const wobble = v.uniform(0.9, 1.1);
  for (let i = 0; i <= loops * 16; i++) {
    const t = i / 16;
    const y0 = Math.cos(t * Math.PI * 2 + phase) * amp * wobble * (0.75 + 0.25 * Math.sin(t * 1.3 + shapeSeed));
    const x = w * 0.08 + t * step + Math.sin(t * Math.PI * 2 + phase) * step * 0.45 - y0 * slant;
    const y = h * 0.55 - y0 + v.normal(0, 0.6);
    pts.push(`${x.toFixed(1)},${y.toFixed(1)}`);
  }
  const underline = `M ${(w * 0.1).toFixed(1)} ${(h * 0.86).toFixed(1)} Q ${(w * 0.5).toFixed(1)} ${(h * (0.78 + v.uniform(0, 0.06))).toFixed(1)} ${(w * 0.9).toFixed(1)} ${(h * 0.84).toFixed(1)}`;
  const width = (2.2 * shape.uniform(0.85, 1.2)).toFixed(2);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><rect width="100%" height="100%" fill="#fbfaf6"/>` +
    `<polyline points="${pts.join(' ')}" fill="none" stroke="${ink}" stroke-width="${width}" stroke-linecap="round" stroke-linejoin="round"/>` +
    `<path d="${underline}" fill="none" stroke="${ink}" stroke-width="${width}" stroke-linecap="round"/></svg>`
  );
}

async function signaturePng(shapeSeed: number, sampleSeed: number): Promise<Buffer> {
  return sharp(Buffer.from(signatureSvg(shapeSeed, sampleSeed, 440, 170)))
    .png()
    .toBuffer();
}

/** A cheque-like scan region with the located signature boxed in red. */
async function contextPng(shapeSeed: number, sampleSeed: number, docNo: number): Promise<Buffer> {
  const sig = signatureSvg(shapeSeed, sampleSeed, 440, 170).replace(/<svg[^>]*>|<\/svg>|<rect[^>]*\/>/g, '');
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="900" height="380"><rect width="100%" height="100%" fill="#eef3ee"/>` +
    `<text x="30" y="50" font-family="DejaVu Sans" font-size="26" fill="#35507a">COUNTERSIGN SAVINGS BANK</text>` +
    `<text x="640" y="50" font-family="DejaVu Sans" font-size="20" fill="#444">No. ${String(docNo).padStart(6, '0')}</text>` +
    `<line x1="30" y1="120" x2="860" y2="120" stroke="#777" stroke-width="1.5"/>` +
    `<line x1="30" y1="190" x2="600" y2="190" stroke="#777" stroke-width="1.5"/>` +
    `<text x="30" y="110" font-family="DejaVu Sans" font-size="18" fill="#555">Pay to the order of</text>` +
    `<line x1="450" y1="330" x2="870" y2="330" stroke="#777" stroke-width="1.5"/>` +
    `<g transform="translate(440,170) scale(0.95)">${sig}</g>` +
    `<rect x="436" y="166" width="426" height="170" fill="none" stroke="#d01010" stroke-width="4"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

function normal(rng: Rng, n: number, mean: number, sd: number): number[] {
  return Array.from({ length: n }, () => Math.max(0.01, rng.normal(mean, sd)));
}

export interface FixtureOptions {
  items: number;
  refsPerSubject?: number;
  seed?: number;
  calibrated?: boolean;
  generatedAt?: string;
}

export async function buildReportInput(opts: FixtureOptions): Promise<ReportInput> {
  const seed = opts.seed ?? 7;
  const rng = new Rng(seed);
  const refsPerSubject = opts.refsPerSubject ?? 8;
  const calibrated = opts.calibrated ?? true;
  const threshold = 0.7;

  // references: made once per subject and shared by all of that subject's items
  const refs = await Promise.all(
    SUBJECTS.map(async (subject, s) => {
      const n = s === 3 ? 3 : refsPerSubject; // one subject with few references
      return Promise.all(
        Array.from({ length: n }, async (_, j) => ({
          signatureId: `sig-${s + 1}-${j + 1}`,
          label: `${subject.split(' ')[0]}_K${j + 1}.png`,
          png: await signaturePng(1000 + s, 5000 + s * 100 + j),
        })),
      );
    }),
  );

  const items: ReportItem[] = [];
  const inputs: ReportInput['integrity']['inputs'] = [];
  for (let s = 0; s < SUBJECTS.length; s++) {
    for (const r of refs[s]!) inputs.push({ path: `known/${SUBJECTS[s]}/${r.label}`, sha256: sha(r.png), role: 'known' });
  }
  const made = await Promise.all(
    Array.from({ length: opts.items }, async (_, i) => {
      const s = i % SUBJECTS.length;
      const forged = i % 3 === 2;
      const writerShape = forged ? 2000 + i : 1000 + s;
      return {
        q: await signaturePng(writerShape, 9000 + i),
        ctx: await contextPng(writerShape, 9000 + i, i + 1),
      };
    }),
  );
  for (let i = 0; i < opts.items; i++) {
    const s = i % SUBJECTS.length;
    const subject = SUBJECTS[s] as string;
    const forged = i % 3 === 2;
    const subjectRefs = refs[s]!;
    const base = forged ? 0.95 : 0.45;
    const references = subjectRefs.map((r) => ({ ...r, distance: Number(Math.max(0.05, rng.normal(base, 0.08)).toFixed(4)) }));
    const dist = references.map((r) => r.distance);
    const agg = dist.reduce((a, b) => a + b, 0) / dist.length;
    const kk = normal(new Rng(`kk-${s}`), (subjectRefs.length * (subjectRefs.length - 1)) / 2, 0.42, 0.07).map((v) => Number(v.toFixed(4)));
    const sorted = [...kk].sort((a, b) => a - b);
    const below = kk.filter((v) => v < agg).length;
    const log10Lr = calibrated ? Number(((4.2 * (threshold - agg)) / 0.3).toFixed(3)) : null;
    const decision: ReportDecision = Math.abs(agg - threshold) <= 0.05 ? 'inconclusive' : agg < threshold ? 'supports genuine' : 'supports not genuine';
    const warnings = [];
    if (subjectRefs.length < 5) warnings.push({ code: 'FEW_REFERENCES', message: `only ${subjectRefs.length} known signatures; at least 5 are recommended` });
    if (i % 17 === 5) warnings.push({ code: 'POSSIBLE_TRACING', message: 'Q is far closer to one reference than the references are to each other' });
    const props = defaultPropositions(subject);
    items.push({
      documentId: `DOC-${String(i + 1).padStart(4, '0')}`,
      documentLabel: `cheque_${String(i + 1).padStart(4, '0')}${i % 5 === 0 ? '_front_scan_600dpi' : ''}.png`,
      claimedSubject: subject,
      questionedPng: made[i]!.q,
      contextPng: i % 11 === 10 ? null : made[i]!.ctx,
      references,
      aggregate: { method: 'mean', value: Number(agg.toFixed(4)) },
      kkSpread: { min: sorted[0]!, median: sorted[sorted.length >> 1]!, max: sorted[sorted.length - 1]!, values: kk },
      qPercentile: kk.length ? (100 * below) / kk.length : null,
      log10Lr,
      verbal: log10Lr === null ? '' : verbalEquivalent(log10Lr, props).sentence,
      decision,
      warnings,
    });
    inputs.push({ path: `questioned/${items[i]!.documentLabel}`, sha256: sha(made[i]!.ctx), role: 'questioned' });
  }

  const vr = new Rng(seed + 1);
  const genuine = normal(vr, 600, 0.45, 0.11);
  const impostor = normal(vr, 600, 0.98, 0.17);
  const thresholds = Array.from({ length: 200 }, (_, k) => (k / 199) * 1.8);
  const det = {
    far: thresholds.map((t) => impostor.filter((d) => d < t).length / impostor.length),
    frr: thresholds.map((t) => genuine.filter((d) => d >= t).length / genuine.length),
  };
  const eerIndex = thresholds.reduce((best, _, k) => (Math.abs(det.far[k]! - det.frr[k]!) < Math.abs(det.far[best]! - det.frr[best]!) ? k : best), 0);
  const eer = Number(((det.far[eerIndex]! + det.frr[eerIndex]!) / 2).toFixed(4));
  return {
    case: {
      id: 'case-2024-0117',
      name: 'Estate of Ωμέγα Жанна — cheque series 2023',
      examiner: 'Dr. Zoë Παπαδάκη-Соколова',
      notes: 'Cheques drawn on the account between March and November 2023. Known signatures collected from bank mandate cards and a passport application.',
      threshold,
      inconclusiveBand: { low: threshold - 0.05, high: threshold + 0.05 },
      createdAt: '2024-01-17T09:30:00.000Z',
    },
    generatedAt: opts.generatedAt ?? '2025-03-14T09:26:53.000Z',
    laboratory: 'Institute of Forensic Document Examination',
    propositions: DEFAULT_PROPOSITIONS,
    items,
    model: {
      id: 'signet-base',
      name: 'SigNet base (synthetic)',
      version: '1.0.0',
      sha256: sha('countersign model weights fixture'),
      architecture: 'signet (155 x 220 x 1, 128-d embedding)',
      backend: 'wasm',
      preprocessing: { canvasHeight: 155, canvasWidth: 220, invert: true, threshold: 'otsu', blurSigma: 2, scale: 'fit, centred' },
      calibration: calibrated
        ? { method: 'logistic regression', summary: 'log10 LR = a + b \u00d7 distance, fitted on 1,200 validation pairs', parameters: { a: 9.8, b: -14 } }
        : null,
      metrics: {
        eer,
        cllr: calibrated ? 0.231 : null,
        cllrMin: calibrated ? 0.198 : null,
        auc: 0.981,
        genuineComparisons: 600,
        impostorComparisons: 600,
        dataset: 'synthetic writers 81-120 (held out)',
      },
      scoreDistributions: { genuine, impostor },
      det,
      trainingSummary: '80 synthetic writers, 24 genuine and 12 forged signatures each',
    },
    appVersion: '0.1.0',
    integrity: { inputs, auditHeadHash: sha('audit head fixture') },
  };
}
