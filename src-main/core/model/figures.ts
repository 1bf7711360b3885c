/**
 * A model's validation figures in words, each with what it rests on (validation writers and
 * comparisons) and its 95 % interval, the same in the Models view, `countersign models show`
 * and anywhere else a model's figures are read out. Pure: no I/O, no Node modules (the
 * renderer imports the types).
 */
import type { MetricIntervals, ModelMetadata } from './registry/registry-metadata.ts';

/** Fewer validation writers than this: "not enough validation data" (never presented as better than another model). */
export const MIN_VALIDATION_WRITERS = 10;

export type FigureKey = 'eer' | 'eerRandom' | 'auc' | 'cllr' | 'cllrMin' | 'pairEer';

export interface ModelFigure {
  key: FigureKey;
  /** 'EER, skilled forgeries' */
  label: string;
  /** Short name for a line of text: 'EER'. */
  short: string;
  value: number | null;
  /** '15.2 %', '0.911', or why there is no value. */
  text: string;
  interval: [number, number] | null;
  /** '95 % CI 8.1–23.0 %', 'interval not recorded' (models from before intervals), or why there is none. */
  intervalText: string;
  /** '9 writers, 99 genuine / 99 forged' */
  sample: string;
  /** 'EER 15.2 % (95 % CI 8.1–23.0 %; 9 writers, 99 genuine / 99 forged)' */
  line: string;
}

/** What the validation figures rest on; null where the model does not record it. */
export interface ValidationSample {
  writers: number | null;
  genuine: number | null;
  forged: number | null;
  random: number | null;
  pairsSame: number | null;
  pairsDiff: number | null;
}

type FigureSource = Pick<ModelMetadata, 'metrics' | 'trainingData' | 'calibration'> & Partial<Pick<ModelMetadata, 'validationDistances' | 'metricIntervals'>>;

const count = (v: unknown): number | null => (Array.isArray(v) ? v.length : typeof v === 'number' && Number.isFinite(v) ? v : null);

export function validationSample(md: FigureSource): ValidationSample {
  const m = md.metrics;
  const td = md.trainingData as Record<string, unknown> | null;
  const vd = md.validationDistances;
  return {
    writers: count(m.validationWriters) ?? (td ? count(td.validationWriters) : null),
    genuine: count(m.validationGenuine) ?? (vd ? vd.same.length : (md.calibration?.fittedOn.same ?? null)),
    forged: count(m.validationForged) ?? (vd ? vd.diff.length : (md.calibration?.fittedOn.diff ?? null)),
    random: count(m.validationRandom),
    pairsSame: count(m.validationPairsSame),
    pairsDiff: count(m.validationPairsDiff),
  };
}

const PERCENT = new Set<FigureKey>(['eer', 'eerRandom', 'pairEer']);

function fmt(key: FigureKey, v: number): string {
  return PERCENT.has(key) ? (v * 100).toFixed(1) : v.toFixed(3);
}

const unit = (key: FigureKey) => (PERCENT.has(key) ? ' %' : '');
const n = (v: number | null, what: string) => (v === null ? `${what}: number not recorded` : `${v} ${what}`);

const DEFS: { key: FigureKey; label: string; short: string }[] = [
  { key: 'eer', label: 'EER, skilled forgeries', short: 'EER' },
  { key: 'eerRandom', label: 'EER, random forgeries (other writers)', short: 'EER random' },
  { key: 'auc', label: 'AUC', short: 'AUC' },
  { key: 'cllr', label: 'Cllr (bits)', short: 'Cllr' },
  { key: 'cllrMin', label: 'Cllr min (bits)', short: 'Cllr min' },
  { key: 'pairEer', label: 'Pair EER (signature pairs)', short: 'Pair EER' },
];

/** The metric keys the figures read out (the rest of `metrics` is listed as recorded values). */
export const FIGURE_KEYS: readonly string[] = DEFS.map((d) => d.key);

/** Each validation figure the model records, with its sample and interval (see the file comment). */
export function modelFigures(md: FigureSource): ModelFigure[] {
  const s = validationSample(md);
  const iv: MetricIntervals | null = md.metricIntervals ?? null;
  const writers = s.writers === null ? 'writers not recorded' : `${s.writers} writer${s.writers === 1 ? '' : 's'}`;
  const skilled = `${writers}, ${n(s.genuine, 'genuine')} / ${n(s.forged, 'forged')}`;
  const sampleOf: Record<FigureKey, string> = {
    eer: skilled,
    eerRandom: `${writers}, ${n(s.genuine, 'genuine')} / ${n(s.random, 'random forgeries')}`,
    auc: skilled,
    cllr: skilled,
    cllrMin: skilled,
    pairEer:
      s.pairsSame === null && s.pairsDiff === null
        ? `${writers}, pairs not recorded`
        : `${writers}, ${n(s.pairsSame, 'same-writer')} / ${n(s.pairsDiff, 'genuine–forged pairs')}`,
  };
  const out: ModelFigure[] = [];
  for (const d of DEFS) {
    const raw = md.metrics[d.key];
    if (raw === undefined) continue;
    const value = typeof raw === 'number' && Number.isFinite(raw) ? raw : null;
    const text = value !== null ? `${fmt(d.key, value)}${unit(d.key)}` : d.key === 'cllr' && !md.calibration ? 'none (not calibrated)' : 'not recorded';
    const interval = value !== null && iv ? iv[d.key] : null;
    const intervalText =
      value === null
        ? 'no interval'
        : interval
          ? `${Math.round(iv!.level * 100)} % CI ${fmt(d.key, interval[0])}–${fmt(d.key, interval[1])}${unit(d.key)}`
          : iv
            ? 'no interval (too few trials to resample)'
            : 'interval not recorded';
    out.push({ ...d, value, text, interval, intervalText, sample: sampleOf[d.key], line: `${d.short} ${text} (${intervalText}; ${sampleOf[d.key]})` });
  }
  return out;
}
