/**
 * Everything a Countersign PDF report shows, as plain data. The verification code fills
 * it from the case database; the renderer (render.ts) only lays it out and never
 * computes a figure of its own, so the report shows exactly what was recorded.
 *
 * Units: distances are the model's embedding distances (Euclidean, the same unit as the
 * case threshold); times are ISO 8601 strings in UTC; PNG buffers are any PNG (grey,
 * RGB, with or without alpha) and are downscaled for display only.
 */

/** The decision at the case threshold, as recorded by verification. */
export type ReportDecision = 'supports genuine' | 'supports not genuine' | 'inconclusive';

export interface ReportWarning {
  /** Stable machine code, e.g. FEW_REFERENCES, LOW_QUALITY, POSSIBLE_TRACING. */
  code: string;
  /** One sentence for the examiner. */
  message: string;
}

export interface ReportCase {
  id: string;
  name: string;
  examiner: string;
  notes: string;
  /** Decision threshold on the aggregate Q-K distance: below supports genuine. */
  threshold: number;
  /** Aggregate distances within [low, high] are reported as inconclusive; null: no band. */
  inconclusiveBand: { low: number; high: number } | null;
  createdAt: string;
  /** 'model': the model's threshold (where its LR is 1); 'case': set by the examiner. */
  thresholdSource?: 'case' | 'model';
}

/** How an item's score was made (scoring/score.ts); absent in inputs from before: the mean distance. */
export interface ReportScore {
  method: 'kk-ratio' | 'mean-distance';
  /** 'score (Q-K ÷ K-K)' or 'mean distance'. */
  label: string;
  value: number;
  meanDistance: number;
  /** Distance units per score unit (1 for mean-distance). */
  scale: number;
  /** The score in words. */
  explanation: string;
}

/** A file submitted to the case that no comparison in the report covers, and why. */
export interface ReportExcluded {
  path: string;
  role: string;
  subject: string;
  reason: string;
}

/** A manual correction of a signature box, with the crops before and after. */
export interface ReportCorrection {
  documentLabel: string;
  at: string;
  before: string;
  after: string;
  beforePng: Buffer | null;
  afterPng: Buffer | null;
}

/** One change of the case threshold. */
export interface ReportThresholdChange {
  at: string;
  /** null: the model's default. */
  old: number | null;
  new: number | null;
  /** The examiner's reason (changes from before reasons were required have none). */
  reason: string | null;
  /** Results of the case that had been seen when it was changed (null: not recorded). */
  resultsSeen: number | null;
}

/** What a reader needs to know about the model behind the figures. */
export interface ReportModelCard {
  trainingData: string;
  validationData: string;
  /** Writers in the validation data, when known. */
  validationWriters: number | null;
  scoring: string;
  threshold: string;
}

/**
 * The propositions compared. `{subject}` is replaced by the claimed subject's name in
 * each item section (and by "the claimed subject" on the cover).
 */
export interface ReportPropositions {
  hp: string;
  hd: string;
}

export const DEFAULT_PROPOSITIONS: ReportPropositions = {
  hp: 'The questioned signature was written by {subject}.',
  hd: 'The questioned signature was written by someone other than {subject} (a simulation or forgery).',
};

export interface ReportReference {
  signatureId: string;
  /** Short label shown under the thumbnail, e.g. the original file name. */
  label: string;
  png: Buffer;
  /** Distance between the questioned signature and this reference. */
  distance: number;
}

/** Distances among the subject's references: the writer's natural variation. */
export interface ReportSpread {
  min: number;
  median: number;
  max: number;
  values: number[];
}

export interface ReportItem {
  documentId: string;
  /** The original file name of the questioned document (or another human label). */
  documentLabel: string;
  claimedSubject: string;
  /** The questioned signature as cropped from the document. */
  questionedPng: Buffer;
  /** The region of the original scan with the crop box drawn (or a context crop); null if not available. */
  contextPng: Buffer | null;
  references: ReportReference[];
  /** How the per-reference distances were combined, and the result. */
  aggregate: { method: string; value: number };
  kkSpread: ReportSpread;
  /** Percentage (0..100) of K-K distances below the aggregate Q distance; null if no K-K pairs. */
  qPercentile: number | null;
  /** Calibrated log10 likelihood ratio (Hp vs Hd); null when the model is uncalibrated. */
  log10Lr: number | null;
  /** The LR is a limit of the calibration: reported as '>=' (or '<='). */
  llrAtBound?: boolean;
  /** The score decided on, named and explained. */
  score?: ReportScore;
  /** Where Q lies against the references' own spread, in words consistent with the decision (verify/story.ts). */
  variation?: string;
  /** The verbal-equivalent sentence recorded by verification (ENFSI scale). */
  verbal: string;
  /** Short verbal label for the summary table; derived from log10Lr when absent. */
  verbalLabel?: string;
  decision: ReportDecision;
  warnings: ReportWarning[];
  /** What the examiner recorded on the bench for this item (marks, measurements, notes, alignments); absent: nothing. */
  bench?: ReportBench;
}

/** A point in pixels of a signature's crop: [x, y], y down. */
export type ReportPoint = [number, number];

/** A mark drawn onto a crop in the item's pages. */
export interface ReportMark {
  /** Shown beside the mark and in the list: 'A1', 'A2', ... */
  label: string;
  /** The image it is on: the item's questioned signature or one of its references. */
  signatureId: string;
  /** 'Q' or 'K2' (the reference's place in the item). */
  on: string;
  kind: 'arrow' | 'circle' | 'text';
  geometry: { from: ReportPoint; to: ReportPoint } | { center: ReportPoint; radius: number } | { at: ReportPoint };
  text: string | null;
  /** '#rrggbb'; null: the report's mark colour. */
  color: string | null;
}

export interface ReportMeasurement {
  /** 'M1', 'M2', ... */
  label: string;
  signatureId: string;
  on: string;
  kind: 'length' | 'angle' | 'height_ratio' | 'baseline';
  value: number;
  unit: 'mm' | 'deg' | 'ratio';
  points: ReportPoint[];
  dpi: number | null;
  /** Where the DPI came from: 'document' (the scan's own) or 'given' (by the examiner). */
  dpiSource: 'document' | 'given' | null;
  /** The examiner's words for what was measured, or null. */
  what: string | null;
}

export interface ReportBench {
  questionedSignatureId: string;
  /** Pixel size of each signature's crop, the coordinates of its marks and measurements. */
  imageSizes: Record<string, { width: number; height: number }>;
  marks: ReportMark[];
  measurements: ReportMeasurement[];
  /** Notes on the questioned signature and its references, oldest first. */
  notes: Array<{ on: string; text: string; at: string }>;
  /** The examiner's current overlay alignment of each reference onto Q. */
  alignments: Array<{ on: string; dxMm: number; dyMm: number; rotationDeg: number; scale: number; opacity: number | null; fromAutoFit: boolean; at: string }>;
}

export interface ReportValidationMetrics {
  eer: number;
  cllr: number | null;
  cllrMin: number | null;
  auc: number;
  /** Counts of validation comparisons behind the metrics, when known. */
  genuineComparisons?: number;
  impostorComparisons?: number;
  /** Free-text description of the validation set. */
  dataset?: string;
}

export interface ReportModel {
  id: string;
  name: string;
  version: string;
  sha256: string;
  architecture: string;
  backend: string;
  preprocessing: Record<string, string | number | boolean>;
  /** null: the model has no calibration and the report gives no LR. */
  calibration: { method: string; summary: string; parameters?: Record<string, number> } | null;
  metrics: ReportValidationMetrics;
  /** Validation distances for the score-distribution chart. */
  scoreDistributions?: { genuine: number[]; impostor: number[] } | null;
  /** DET curve points (false acceptance and false rejection rates in 0..1, same length). */
  det?: { far: number[]; frr: number[] } | null;
  /** One line on what the model was trained on. */
  trainingSummary?: string;
  card?: ReportModelCard;
}

export interface ReportInputFile {
  path: string;
  sha256: string;
  /** e.g. 'questioned', 'known', 'model', 'case.json'. */
  role: string;
}

export interface ReportSeries {
  linkage: string;
  cut: number;
  /** Where the cut comes from ('case threshold', 'model threshold'). */
  cutSource: string;
  /** How the distances are normalised, in words. */
  basis: string;
  /** Largest first, singletons last; members by document label. */
  groups: { members: { documentLabel: string; claimedSubject: string }[]; within: { mean: number; max: number } | null }[];
}

export interface ReportInput {
  case: ReportCase;
  /** The one timestamp in the report (ISO 8601). Excluded from the content hash. */
  generatedAt: string;
  /** Optional laboratory or institution name for the cover. */
  laboratory?: string;
  propositions: ReportPropositions;
  items: ReportItem[];
  /** Files submitted but not compared (failed import, excluded, no references...), with the reason. */
  excluded?: ReportExcluded[];
  /** Manual box corrections. */
  corrections?: ReportCorrection[];
  /** Every change of the case threshold, oldest first. */
  thresholdHistory?: ReportThresholdChange[];
  /** The questioned signatures grouped by hand (countersign series), when the case has two or more. */
  series?: ReportSeries;
  model: ReportModel;
  appVersion: string;
  integrity: {
    inputs: ReportInputFile[];
    /**
     * Hash of the audit-log row the report is anchored to: the newest row its figures depend
     * on (for a case report, the newest included comparison's row or, when later, the case's
     * newest bench record's row; it chains every import, comparison and bench record before
     * it). Null if not available.
     */
    auditHeadHash: string | null;
    /** Sequence number of that row, when known. */
    auditHeadSeq?: number | null;
    /** The data directory's installation key (Ed25519), which signs the audit chain's head at every write. */
    installationKey?: { publicKey: string; fingerprint: string } | null;
    /** The first signed chain head at or after the anchor: it covers the anchor and every row before it. */
    headSignature?: { seq: number; hash: string; publicKey: string; signature: string } | null;
  };
}

/** Where a signature image was drawn: PDF points from the page's top-left corner. */
export interface ReportFigure {
  /** 1-based page number. */
  page: number;
  kind: 'questioned' | 'context' | 'reference';
  documentId: string;
  signatureId?: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Section ids of a rendered report, in order ('cover', 'item', 'excluded', 'corrections', 'threshold-history', 'model', 'integrity'). */
export type ReportSectionId = 'cover' | 'items' | 'excluded' | 'corrections' | 'threshold-history' | 'series' | 'model' | 'integrity';

export interface RenderedReport {
  /** The sections drawn, in order. */
  sections: ReportSectionId[];
  pdf: Buffer;
  /** SHA-256 (hex) of the canonical input; see content-hash.ts and docs/report.md. */
  contentHash: string;
  pages: number;
  figures: ReportFigure[];
}
