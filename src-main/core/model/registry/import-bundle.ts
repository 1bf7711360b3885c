/**
 * `countersign models import`: all or nothing. The bundle is read and checked into a
 * temporary folder (registry-bundle.ts stageBundle); then, in one database transaction, the
 * clash checks run under the write lock, the folder is renamed into place, the models row and
 * its identity are recorded and the import is audit-logged. Any failure removes the folder,
 * so a model is never listed that cannot be used, and a clash says what it clashes with.
 */
import { rmSync } from 'node:fs';
import type { Store } from '../../store/index.ts';
import { modelNames } from '../../store/model-rows.ts';
import { ensureModelRow } from './model-rows.ts';
import { assertNoClash, publishStaged, stageBundle } from './registry-bundle.ts';
import type { RegistryOptions } from './registry-files.ts';
import type { ModelMetadata } from './registry-metadata.ts';

export async function importModelIntoStore(store: Store, file: string, options: RegistryOptions = {}): Promise<ModelMetadata & { identity: string }> {
  const staged = await stageBundle(store.dataDir, file);
  let published: string | null = null;
  try {
    return store.write(() => {
      const rows = modelNames(store);
      assertNoClash(store.dataDir, staged.metadata, options, rows);
      published = publishStaged(store.dataDir, staged, options);
      ensureModelRow(store, store.dataDir, staged.metadata.id);
      store.audit.append({
        action: 'model.import',
        entity: `model:${staged.metadata.id}`,
        details: { file: staged.source, sha256: staged.metadata.sha256, identity: staged.identity },
      });
      return { ...staged.metadata, identity: staged.identity };
    });
  } catch (err) {
    if (published) rmSync(published, { recursive: true, force: true });
    throw err;
  } finally {
    rmSync(staged.tmpDir, { recursive: true, force: true });
  }
}
