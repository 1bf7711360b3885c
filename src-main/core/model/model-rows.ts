/** Mirrors a registered model (on disk) into the database's models table, which results reference. */
import type { Store } from '../store/index.ts';
import { getModel } from './registry.ts';

export function ensureModelRow(store: Store, dataDir: string, modelId: string): void {
  const exists = store.db.prepare('SELECT weights_sha256 AS sha FROM models WHERE id = ?').get(modelId) as { sha: string } | undefined;
  const meta = getModel(dataDir, modelId);
  if (exists) return;
  if (meta.parentId) ensureModelRow(store, dataDir, meta.parentId);
  const { validationDistances: _v, weightsManifest: _w, ...light } = meta;
  store.db
    .prepare('INSERT INTO models (id, name, version, architecture, weights_sha256, parent_id, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .run(meta.id, meta.name, String(meta.version), meta.architecture, meta.sha256, meta.parentId, JSON.stringify(light), meta.createdAt);
}
