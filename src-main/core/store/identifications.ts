/**
 * Stored identifications: what an identification concluded, with what (model and SHA-256,
 * metric, threshold and where it came from, the method, every candidate's figures). Rows
 * are never changed (the schema's triggers refuse it); running it again adds a row.
 */
import type { Store } from './store.ts';
import type { IdentificationResult } from '../identify/types.ts';

interface Raw {
  id: number;
  results: string;
}

export class IdentificationRepository {
  constructor(private readonly store: Store) {}

  /** Writes the row; the caller appends the audit row in the same transaction. */
  insert(r: Omit<IdentificationResult, 'id' | 'createdAt'>, createdAt: string): number {
    const q = r.query;
    return Number(
      this.store.db
        .prepare(
          `INSERT INTO identifications (scope, case_id, query_signature_id, query_sha256, query_normalised_sha256, model_id, model_sha256, app_version,
             metric, threshold, threshold_source, writers_ranked, exemplars, method, outcome, top_k, results, created_at)
           VALUES (@scope, @caseId, @signatureId, @sha256, @normalised, @modelId, @modelSha, @appVersion, @metric, @threshold, @thresholdSource,
             @writers, @exemplars, @method, @outcome, @top, @results, @createdAt)`,
        )
        .run({
          scope: r.scope.kind,
          caseId: r.scope.kind === 'case' ? r.scope.caseId : null,
          signatureId: q.kind === 'signature' ? q.signatureId : null,
          sha256: q.originalSha256,
          normalised: q.normalisedSha256,
          modelId: r.model.id,
          modelSha: r.model.sha256,
          appVersion: r.appVersion,
          metric: r.metric,
          threshold: r.threshold,
          thresholdSource: r.thresholdSource,
          writers: r.writersSearched,
          exemplars: r.exemplarsSearched,
          method: r.method,
          outcome: r.outcome,
          top: r.top,
          results: JSON.stringify(r),
          createdAt,
        }).lastInsertRowid,
    );
  }

  get(id: number): IdentificationResult | undefined {
    const row = this.store.db.prepare('SELECT id, results FROM identifications WHERE id = ?').get(id) as Raw | undefined;
    return row ? this.parse(row) : undefined;
  }

  /** Earlier identifications of a signature, newest first. */
  ofSignature(signatureId: number, limit = 20): IdentificationResult[] {
    const rows = this.store.db
      .prepare('SELECT id, results FROM identifications WHERE query_signature_id = ? ORDER BY id DESC LIMIT ?')
      .all(signatureId, limit) as Raw[];
    return rows.map((r) => this.parse(r));
  }

  private parse(row: Raw): IdentificationResult {
    const r = JSON.parse(row.results) as IdentificationResult;
    return { ...r, id: row.id };
  }
}
