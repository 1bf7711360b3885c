/**
 * Which signatures a writer is ranked on, read from the case database: for every candidate
 * writer (the active library subjects, or a case's subjects), the active signature of each
 * ready known document (the newest one not rejected, as verification reads it) that has a
 * normalised image and an embedding for the model. The exact scan and the vector-index
 * search both read exemplars through this file, in signature-id order, so a writer's
 * aggregate is computed from the same vectors in the same order either way.
 */
import type { Store } from './store.ts';
import type { Exemplar } from '../identify/rank.ts';

export type Scope = { kind: 'library' } | { kind: 'case'; caseId: number };

/** Exemplars that must not count: the questioned signature itself and its original file. */
export interface Exclusions {
  signatureId?: number | null;
  sha256?: string | null;
}

const scopeWhere = (scope: Scope) =>
  scope.kind === 'library' ? `sub.scope = 'library' AND sub.withdrawn_at IS NULL AND d.case_id IS NULL` : `sub.case_id = @caseId AND d.case_id = @caseId`;

const FROM = `
FROM subjects sub
JOIN documents d ON d.subject_id = sub.id AND d.role = 'known' AND d.status = 'ready'
JOIN signatures s ON s.id = (SELECT MAX(id) FROM signatures WHERE document_id = d.id AND status <> 'rejected')`;

function params(scope: Scope, modelId: string, ex: Exclusions, extra: Record<string, unknown> = {}) {
  return { ...(scope.kind === 'case' ? { caseId: scope.caseId } : {}), model: modelId, exSig: ex.signatureId ?? null, exSha: ex.sha256 ?? null, ...extra };
}

const EXCLUDE = `s.normalised_sha256 IS NOT NULL AND s.id IS NOT @exSig AND d.sha256 IS NOT @exSha`;

/** A stored float32 BLOB as a vector (copied when the buffer is not 4-byte aligned). */
export function toVector(buf: Buffer): Float32Array {
  if (buf.byteOffset % 4 === 0) return new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

interface Row {
  subject_id: number;
  signature_id: number;
  vector: Buffer;
}

/** Every candidate writer with its exemplars, streamed from the database (the exact scan's input). */
export function* scanExemplars(store: Store, scope: Scope, modelId: string, ex: Exclusions = {}): Generator<{ subjectId: number; exemplars: Exemplar[] }> {
  const stmt = store.db.prepare(
    `SELECT sub.id AS subject_id, s.id AS signature_id, e.vector ${FROM}
     JOIN embeddings e ON e.signature_id = s.id AND e.model_id = @model
     WHERE ${scopeWhere(scope)} AND ${EXCLUDE} ORDER BY sub.id, s.id`,
  );
  let current: { subjectId: number; exemplars: Exemplar[] } | null = null;
  for (const r of stmt.iterate(params(scope, modelId, ex)) as Iterable<Row>) {
    if (!current || current.subjectId !== r.subject_id) {
      if (current) yield current;
      current = { subjectId: r.subject_id, exemplars: [] };
    }
    current.exemplars.push({ signatureId: r.signature_id, vector: toVector(r.vector) });
  }
  if (current) yield current;
}

/** Prepared statements for the per-writer reads of the vector-index search. */
export class ExemplarReader {
  private readonly ofWriter;
  private readonly subjectOf;

  constructor(
    store: Store,
    private readonly scope: Scope,
    private readonly modelId: string,
    private readonly ex: Exclusions,
  ) {
    this.ofWriter = store.db.prepare(
      `SELECT s.id AS signature_id, e.vector ${FROM}
       JOIN embeddings e ON e.signature_id = s.id AND e.model_id = @model
       WHERE sub.id = @subject AND ${scopeWhere(scope)} AND ${EXCLUDE} ORDER BY s.id`,
    );
    // Any signature of a document of a candidate writer names that writer; whether it counts
    // as an exemplar is decided by exemplarsOf (the same rules as the scan).
    this.subjectOf = store.db.prepare(
      `SELECT sub.id FROM signatures s JOIN documents d ON d.id = s.document_id JOIN subjects sub ON sub.id = d.subject_id
       WHERE s.id = @signature AND d.role = 'known' AND ${scopeWhere(scope)}`,
    );
    this.subjectOf.pluck();
  }

  exemplarsOf(subjectId: number): Exemplar[] {
    const rows = this.ofWriter.all(params(this.scope, this.modelId, this.ex, { subject: subjectId })) as Omit<Row, 'subject_id'>[];
    return rows.map((r) => ({ signatureId: r.signature_id, vector: toVector(r.vector) }));
  }

  /** The candidate writer a signature belongs to, or undefined (not a candidate's, withdrawn, ...). */
  writerOf(signatureId: number): number | undefined {
    return this.subjectOf.get(params(this.scope, this.modelId, this.ex, { signature: signatureId })) as number | undefined;
  }
}

/** How many writers of the scope have at least one exemplar (what a search ranks among). */
export function writersInScope(store: Store, scope: Scope): { writers: number; exemplars: number } {
  const key = `${scope.kind === 'case' ? scope.caseId : 'library'}`;
  const fingerprint = changesFingerprint(store);
  const cache = counted.get(store);
  const hit = cache?.get(key);
  if (hit && hit.fingerprint === fingerprint) return hit.value;
  const value = store.db
    .prepare(`SELECT count(DISTINCT sub.id) AS writers, count(*) AS exemplars ${FROM} WHERE ${scopeWhere(scope)} AND s.normalised_sha256 IS NOT NULL`)
    .get(scope.kind === 'case' ? { caseId: scope.caseId } : {}) as { writers: number; exemplars: number };
  const map = cache ?? new Map();
  map.set(key, { fingerprint, value });
  counted.set(store, map);
  return value;
}

// Counting a large library takes about as long as searching it, so the counts are kept until
// anything is written: by another connection (data_version) or this one (total_changes).
const counted = new WeakMap<Store, Map<string, { fingerprint: string; value: { writers: number; exemplars: number } }>>();

function changesFingerprint(store: Store): string {
  return `${store.db.pragma('data_version', { simple: true }) as number}:${store.db.prepare('SELECT total_changes()').pluck().get() as number}`;
}

/**
 * After a write this connection made that changes no exemplar (an identification's record):
 * the counts taken just before it stay valid. Called synchronously after that write.
 */
export function keepCountsAfterOwnWrite(store: Store, before: string): void {
  const map = counted.get(store);
  if (!map) return;
  const now = changesFingerprint(store);
  for (const v of map.values()) if (v.fingerprint === before) v.fingerprint = now;
}

export function countsFingerprint(store: Store): string {
  return changesFingerprint(store);
}

/** Exemplars of the scope (signature id above `after`) that have no embedding for the model yet. */
export function exemplarsWithoutEmbedding(store: Store, scope: Scope, modelId: string, after = 0): number[] {
  // Signatures first (CROSS JOIN fixes the order): after the first check only the newest are read.
  return store.db
    .prepare(
      `SELECT s.id FROM signatures s CROSS JOIN documents d ON d.id = s.document_id CROSS JOIN subjects sub ON sub.id = d.subject_id
       WHERE s.id > @after AND d.role = 'known' AND d.status = 'ready' AND ${scopeWhere(scope)} AND s.normalised_sha256 IS NOT NULL
       AND s.id = (SELECT MAX(id) FROM signatures WHERE document_id = d.id AND status <> 'rejected')
       AND NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.signature_id = s.id AND e.model_id = @model) ORDER BY s.id`,
    )
    .pluck()
    .all({ ...(scope.kind === 'case' ? { caseId: scope.caseId } : {}), model: modelId, after }) as number[];
}

/** The largest signature id: exemplars added later have larger ids (AUTOINCREMENT). */
export function maxSignatureId(store: Store): number {
  return (store.db.prepare('SELECT COALESCE(MAX(id), 0) FROM signatures').pluck().get() as number) ?? 0;
}
