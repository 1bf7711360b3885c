/**
 * A signature's quality record in words and units. Two shapes reach the UI: the one the
 * verifier reads (contrast 0..1, inkBoxWidth/inkBoxHeight) and the one imaging measures
 * (contrast in grey levels, inkBox {w, h, wInches, hInches}, blur, touches, warning codes).
 * Known figures get a label, a unit and what the number means; any other key is listed as is.
 */
export interface QualityFigure {
  key: string;
  label: string;
  value: string;
  /** What the number means (scale, direction). */
  meaning: string;
  /** A problem with this figure, in words, when the record flags one. */
  flag: string | null;
}

const CODES: Record<string, { figure: string; text: string }> = {
  'low-contrast': { figure: 'contrast', text: 'low contrast' },
  'little-ink': { figure: 'inkRatio', text: 'very little ink' },
  'dense-ink': { figure: 'inkRatio', text: 'mostly ink: background or a box may be included' },
  'small-signature': { figure: 'inkBox', text: 'small signature' },
  blurred: { figure: 'blur', text: 'blurred' },
  clipped: { figure: 'touches', text: 'the ink touches the edge of the box: it may be cut off' },
};

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function plain(v: unknown): string {
  if (v === null || v === undefined) return '–';
  if (isNum(v)) return String(v);
  if (typeof v === 'string' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

export function qualityFigures(q: Record<string, unknown>): QualityFigure[] {
  const codes = Array.isArray(q.warnings) ? (q.warnings.filter((w) => typeof w === 'string') as string[]) : [];
  const flags = new Map<string, string>();
  for (const c of codes) {
    const m = CODES[c];
    if (m) flags.set(m.figure, flags.has(m.figure) ? `${flags.get(m.figure)}; ${m.text}` : m.text);
  }
  const out: QualityFigure[] = [];
  const seen = new Set<string>(['warnings']);
  const add = (key: string, label: string, value: string, meaning: string, flagKey = key) => {
    out.push({ key, label, value, meaning, flag: flags.get(flagKey) ?? null });
  };

  if (isNum(q.inkRatio)) {
    seen.add('inkRatio');
    add('inkRatio', 'Ink coverage', `${(q.inkRatio * 100).toFixed(q.inkRatio < 0.01 ? 2 : 1)} %`, 'share of the ink box that is ink');
  }
  if (isNum(q.inkPixels)) {
    seen.add('inkPixels');
    add('inkPixels', 'Ink pixels', `${q.inkPixels.toLocaleString('en-GB')} px`, 'pixels darker than the ink threshold');
  }
  if (isNum(q.contrast)) {
    seen.add('contrast');
    const greyLevels = q.contrast > 1;
    add(
      'contrast',
      'Contrast',
      greyLevels ? `${q.contrast.toFixed(1)} grey levels` : q.contrast.toFixed(2),
      greyLevels ? 'paper minus ink, of 255; higher = clearer' : 'paper against ink, 0 to 1; higher = clearer',
    );
  }
  if (isNum(q.paperLevel) || isNum(q.inkLevel)) {
    seen.add('paperLevel').add('inkLevel');
    add('levels', 'Paper / ink grey', `${plain(q.paperLevel)} / ${plain(q.inkLevel)}`, 'mean grey level, 0 black to 255 white');
  }
  const box = q.inkBox as { w?: unknown; h?: unknown; wInches?: unknown; hInches?: unknown } | undefined;
  if (box && typeof box === 'object' && isNum(box.w) && isNum(box.h)) {
    seen.add('inkBox');
    const inches = isNum(box.wInches) && isNum(box.hInches) ? ` (${box.wInches.toFixed(2)} × ${box.hInches.toFixed(2)} in)` : '';
    add('inkBox', 'Ink area', `${box.w} × ${box.h} px${inches}`, 'width × height of the ink in the original');
  } else if (isNum(q.inkBoxWidth) && isNum(q.inkBoxHeight)) {
    seen.add('inkBoxWidth').add('inkBoxHeight');
    const ib = q.inkBoxInches as { w?: unknown; h?: unknown } | undefined;
    const inches = ib && typeof ib === 'object' && isNum(ib.w) && isNum(ib.h) ? ` (${ib.w.toFixed(2)} × ${ib.h.toFixed(2)} in)` : '';
    if (inches) seen.add('inkBoxInches');
    add('inkBox', 'Ink area', `${q.inkBoxWidth} × ${q.inkBoxHeight} px${inches}`, 'width × height of the ink in the original');
  }
  if (isNum(q.blur)) {
    seen.add('blur');
    add('blur', 'Blur', q.blur.toFixed(2), '0 to 1; about 0.2–0.4 for a crisp scan, higher = blurrier');
  }
  if (Array.isArray(q.touches)) {
    seen.add('touches');
    add('touches', 'Ink at box edge', q.touches.length ? q.touches.join(', ') : 'none', 'sides of the box the ink reaches');
  }
  for (const [key, v] of Object.entries(q)) {
    if (seen.has(key) || key === 'lowConfidence') continue;
    add(key, key, plain(v), '');
  }
  return out;
}
