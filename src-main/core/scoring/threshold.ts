/**
 * The default decision threshold of a model, from what its metadata records. Pure: scoring/
 * imports nothing from model/, verify/ or store/, so both model evaluation and verification use it.
 */
import type { Calibration } from './calibration.ts';

/** The parts of a model's metadata the threshold is read from. */
export interface ThresholdSource {
  calibration: Calibration | null;
  metrics: { eerThreshold?: number | null };
}

/**
 * The threshold a model proposes: for a calibrated model the score where its LR is 1 (neither
 * proposition favoured), so that at the default threshold the decision and the verbal scale
 * always agree; otherwise the EER point on its validation data, when known. With the prior-
 * weighted calibration both points are close (docs/evaluation.md).
 */
export function modelThreshold(meta: ThresholdSource): number | null {
  const c = meta.calibration;
  const neutral = c && c.b < 0 ? -c.a / c.b : null;
  const t = neutral !== null && neutral > 0 ? neutral : (c?.eerThreshold ?? meta.metrics.eerThreshold);
  return typeof t === 'number' && Number.isFinite(t) && t > 0 ? t : null;
}
