/**
 * Stored comparisons: what was concluded, with what. Rows are never changed (the schema's
 * triggers refuse it); running a comparison again adds a row. Each row carries everything
 * needed to reproduce it: the model and its SHA-256, the app version, the threshold and band,
 * the reference set and every distance.
 */
import { APP_VERSION } from '../paths.ts';
import type { Store } from './store.ts';
import type { ComparisonResult, Decision, VerifyWarning } from '../verify/compare.ts';
import type { ScoreMethod } from '../scoring/score.ts';

/** What the `distances` JSON column holds. */
export interface StoredDistances {
  metric: ComparisonResult['metric'];
  aggregateMethod: ComparisonResult['aggregateMethod'];
  perReference: ComparisonResult['distances'];
  summary: ComparisonResult['summary'];
  naturalVariation: ComparisonResult['naturalVariation'];
  llrAtBound: boolean;
  thresholdSource: 'case' | 'model';
  minReferences: number;
  /** How the score was made (absent in rows from before writer-normalised scores: the mean distance). */
  score?: ComparisonResult['score'];
  /** The scores decided as inconclusive (absent in older rows: threshold +- band). */
  inconclusiveZone?: [number, number];
}

export interface StoredComparison {
  id: number;
  caseId: number;
  questionedSignatureId: number;
  subjectId: number;
  modelId: string;
  modelSha256: string;
  appVersion: string;
  threshold: number;
  inconclusiveBand: number;
  distances: StoredDistances;
  aggregate: number;
  scoreMethod: ScoreMethod;
  llr: number | null;
  verbal: string | null;
  decision: Decision;
  warnings: VerifyWarning[];
  batchId: string | null;
  createdAt: string;
}

interface RawComparison {
  id: number;
  case_id: number;
  questioned_signature_id: number;
  subject_id: number;
  model_id: string;
  model_sha256: string;
  app_version: string;
  threshold: number;
  inconclusive_band: number;
  distances: string;
  aggregate: number;
  score_method: ScoreMethod;
  llr: number | null;
  verbal: string | null;
  decision: Decision;
  warnings: string;
  batch_id: string | null;
  created_at: string;
}

function toStored(r: RawComparison): StoredComparison {
  return {
    id: r.id,
    caseId: r.case_id,
    questionedSignatureId: r.questioned_signature_id,
    subjectId: r.subject_id,
    modelId: r.model_id,
    modelSha256: r.model_sha256,
    appVersion: r.app_version,
    threshold: r.threshold,
    inconclusiveBand: r.inconclusive_band,
    distances: JSON.parse(r.distances) as StoredDistances,
    aggregate: r.aggregate,
    scoreMethod: r.score_method,
    llr: r.llr,
    verbal: r.verbal,
    decision: r.decision,
    warnings: JSON.parse(r.warnings) as VerifyWarning[],
    batchId: r.batch_id,
    createdAt: r.created_at,
  };
}

export interface NewComparison {
  caseId: number;
  questionedSignatureId: number;
  subjectId: number;
  modelId: string;
  modelSha256: string;
  thresholdSource: 'case' | 'model';
  minReferences: number;
  result: ComparisonResult;
  batchId: string | null;
}

export class ComparisonRepository {
  private readonly insertStmt;
  private readonly byIdStmt;
  private readonly latestStmt;
  private readonly latestForCaseStmt;
  private readonly byBatchStmt;

  constructor(private readonly store: Store) {
    const db = store.db;
    this.insertStmt = db.prepare(
      `INSERT INTO comparisons (case_id, questioned_signature_id, subject_id, model_id, model_sha256, app_version, threshold,
         inconclusive_band, distances, aggregate, score_method, llr, verbal, decision, warnings, batch_id, created_at)
       VALUES (@case_id, @questioned_signature_id, @subject_id, @model_id, @model_sha256, @app_version, @threshold,
         @inconclusive_band, @distances, @aggregate, @score_method, @llr, @verbal, @decision, @warnings, @batch_id, @created_at)`,
    );
    this.byIdStmt = db.prepare('SELECT * FROM comparisons WHERE id = ?');
    this.latestStmt = db.prepare('SELECT * FROM comparisons WHERE questioned_signature_id = ? AND subject_id = ? ORDER BY id DESC LIMIT 1');
    this.latestForCaseStmt = db.prepare(
      `SELECT c.* FROM comparisons c
       WHERE c.case_id = ? AND c.id = (SELECT MAX(id) FROM comparisons x WHERE x.questioned_signature_id = c.questioned_signature_id)
       ORDER BY c.id`,
    );
    this.byBatchStmt = db.prepare('SELECT * FROM comparisons WHERE batch_id = ? ORDER BY id');
  }

  /** Inserts the comparison and its audit row; call inside `store.write`. */
  insert(c: NewComparison): StoredComparison {
    const r = c.result;
    const distances: StoredDistances = {
      metric: r.metric,
      aggregateMethod: r.aggregateMethod,
      perReference: r.distances,
      summary: r.summary,
      naturalVariation: r.naturalVariation,
      llrAtBound: r.llrAtBound,
      thresholdSource: c.thresholdSource,
      minReferences: c.minReferences,
      score: r.score,
      inconclusiveZone: r.inconclusiveZone,
    };
    const id = Number(
      this.insertStmt.run({
        case_id: c.caseId,
        questioned_signature_id: c.questionedSignatureId,
        subject_id: c.subjectId,
        model_id: c.modelId,
        model_sha256: c.modelSha256,
        app_version: APP_VERSION,
        threshold: r.threshold,
        inconclusive_band: r.band,
        distances: JSON.stringify(distances),
        aggregate: r.aggregate,
        score_method: r.score.method,
        llr: r.llr,
        verbal: r.verbal,
        decision: r.decision,
        warnings: JSON.stringify(r.warnings),
        batch_id: c.batchId,
        created_at: new Date().toISOString(),
      }).lastInsertRowid,
    );
    this.store.audit.append({
      action: 'verify.compare',
      caseId: c.caseId,
      entity: `comparison:${id}`,
      details: {
        signature: c.questionedSignatureId,
        subject: c.subjectId,
        model: c.modelId,
        modelSha256: c.modelSha256,
        threshold: r.threshold,
        band: r.band,
        aggregate: r.aggregate,
        scoreMethod: r.score.method,
        llr: r.llr,
        decision: r.decision,
        warnings: r.warnings.map((w) => w.code),
        batch: c.batchId,
      },
    });
    return this.get(id)!;
  }

  get(id: number): StoredComparison | undefined {
    const r = this.byIdStmt.get(id) as RawComparison | undefined;
    return r ? toStored(r) : undefined;
  }

  latest(questionedSignatureId: number, subjectId: number): StoredComparison | undefined {
    const r = this.latestStmt.get(questionedSignatureId, subjectId) as RawComparison | undefined;
    return r ? toStored(r) : undefined;
  }

  /** The newest comparison of every questioned signature of the case. */
  latestForCase(caseId: number): StoredComparison[] {
    return (this.latestForCaseStmt.all(caseId) as RawComparison[]).map(toStored);
  }

  byBatch(batchId: string): StoredComparison[] {
    return (this.byBatchStmt.all(batchId) as RawComparison[]).map(toStored);
  }
}
