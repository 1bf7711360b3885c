/**
 * Mirrors a registered model (on disk) into the database's models table, which results
 * reference, and holds the files to the identity recorded there (model/registry/identity.ts): every
 * use of a model for a result passes here first, so a metadata.json or weights.bin changed
 * after the model was first registered in this data directory is refused, naming the fields.
 * Call inside `store.write`.
 */
import { AppError } from '../../errors.ts';
import type { Store } from '../../store/index.ts';
import { insertModelRow, modelRow, setModelIdentity } from '../../store/model-rows.ts';
import { identityDifferences } from './identity.ts';
import { findModel } from './registry.ts';

function changed(modelId: string, file: string, what: string): AppError {
  return new AppError(
    'INTEGRITY',
    `model '${modelId}': ${what} changed since the model was registered in this data directory (${file}); ` +
      'results made with it would not be what its records say. Restore the model folder, or register the edited model as a new version',
    { model: modelId },
  );
}

export function ensureModelRow(store: Store, dataDir: string, modelId: string): void {
  const entry = findModel(dataDir, modelId);
  const meta = entry.metadata;
  const where = `${entry.dir}/metadata.json`;
  const row = modelRow(store, modelId);
  if (!row) {
    // A model imported from another installation may name a parent this one does not have:
    // the lineage stays in its metadata, the row names no parent.
    let parent: string | null = null;
    if (meta.parentId) {
      try {
        ensureModelRow(store, dataDir, meta.parentId);
        parent = meta.parentId;
      } catch (err) {
        if (!(err instanceof AppError) || err.code !== 'NOT_FOUND') throw err;
      }
    }
    const { validationDistances: _v, weightsManifest: _w, ...light } = meta;
    insertModelRow(store, {
      id: meta.id,
      name: meta.name,
      version: String(meta.version),
      architecture: meta.architecture,
      weightsSha256: meta.sha256,
      parentId: parent,
      metadata: JSON.stringify(light),
      createdAt: meta.createdAt,
      identity: entry.identity,
    });
    store.audit.append({
      action: 'model.register',
      entity: `model:${meta.id}`,
      details: { sha256: meta.sha256, identity: entry.identity, source: entry.source },
    });
    return;
  }
  if (row.weights_sha256 !== meta.sha256) throw changed(modelId, where, `the weights' SHA-256 (${row.weights_sha256} recorded, ${meta.sha256} now)`);
  const fields = () => identityDifferences(JSON.parse(row.metadata) as Record<string, unknown>, meta as unknown as Record<string, unknown>);
  if (row.identity_sha256 !== null) {
    if (row.identity_sha256 !== entry.identity) {
      const differ = fields();
      throw changed(
        modelId,
        where,
        `its identity (${row.identity_sha256} recorded, ${entry.identity} now; ${differ.length ? `${differ.join(', ')} differ` : 'the weights manifest differs'})`,
      );
    }
    return;
  }
  // Registered before identities (schema 3): the fields the row kept are compared once, then
  // the identity is recorded and held from then on.
  const differ = fields();
  if (differ.length) throw changed(modelId, where, `${differ.join(', ')}`);
  setModelIdentity(store, modelId, entry.identity);
  store.audit.append({
    action: 'model.identity',
    entity: `model:${modelId}`,
    details: { identity: entry.identity, note: 'recorded at the first use since identities exist' },
  });
}
