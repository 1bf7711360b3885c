/**
 * The models table: the row a registered model gets in a data directory the first time a
 * result uses it, which results reference (model/registry/model-rows.ts decides when and checks
 * the files against it). Call the writes inside `store.write`.
 */
import type { Store } from './store.ts';
import type { ModelRow } from './types.ts';

/** What is recorded of a model to hold its files to later. */
export interface RawModelRow {
  weights_sha256: string;
  identity_sha256: string | null;
  /** The metadata.json recorded at registration (JSON, without the bulky fields). */
  metadata: string;
}

/** A models row as written: metadata as JSON text, with the identity the files are held to. */
export interface NewModelRow extends Omit<ModelRow, 'metadata'> {
  /** JSON text. */
  metadata: string;
  identity: string;
}

export function modelRow(store: Pick<Store, 'db'>, modelId: string): RawModelRow | undefined {
  return store.db.prepare('SELECT weights_sha256, identity_sha256, metadata FROM models WHERE id = ?').get(modelId) as RawModelRow | undefined;
}

export function insertModelRow(store: Pick<Store, 'db'>, m: NewModelRow): void {
  store.db
    .prepare(
      'INSERT INTO models (id, name, version, architecture, weights_sha256, parent_id, metadata, created_at, identity_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    )
    .run(m.id, m.name, m.version, m.architecture, m.weightsSha256, m.parentId, m.metadata, m.createdAt, m.identity);
}

/** Records the identity of a model registered before identities existed (schema 3). */
export function setModelIdentity(store: Pick<Store, 'db'>, modelId: string, identity: string): void {
  store.db.prepare('UPDATE models SET identity_sha256 = ? WHERE id = ?').run(identity, modelId);
}

/** Every model recorded in this data directory: its id, name and version. */
export function modelNames(store: Pick<Store, 'db'>): { id: string; name: string; version: string }[] {
  return store.db.prepare('SELECT id, name, version FROM models').all() as { id: string; name: string; version: string }[];
}
