import { getActiveModel, scanModels, setActiveModel, type ActiveModel } from '../../core/model/registry/registry.ts';
import type { ModelEntry } from '../../core/model/registry/registry-files.ts';
import { modelFigures, validationSample } from '../../core/model/figures.ts';
import { MIN_VALIDATION_WRITERS, type ModelList, type ModelSummary, type modelsMethods } from '../methods/models.ts';
import type { HandlersFor, Services } from './types.ts';

function toSummary(m: ModelEntry, activeId: string | null): ModelSummary {
  const md = m.metadata;
  return {
    id: m.id,
    name: md.name,
    version: md.version,
    description: md.description ?? null,
    architecture: md.architecture,
    source: m.source,
    parentId: md.parentId,
    createdAt: md.createdAt,
    appVersion: md.appVersion,
    metrics: md.metrics,
    calibrated: md.calibration !== null,
    active: m.id === activeId,
    sha256: md.sha256,
    weightsBytes: md.weightsBytes,
    inputShape: md.inputShape,
    embeddingSize: md.embeddingSize ?? null,
    trainingData: md.trainingData,
    hyperparameters: md.hyperparameters,
    validation: validationSize(md),
    figures: modelFigures(md),
  };
}

function validationSize(md: ModelEntry['metadata']): ModelSummary['validation'] {
  const s = validationSample(md);
  return {
    writers: s.writers,
    same: s.genuine,
    diff: s.forged,
    enough: s.writers === null ? null : s.writers >= MIN_VALIDATION_WRITERS,
  };
}

export function listForUi(dataDir: string): ModelList {
  const scan = scanModels(dataDir);
  let active: ActiveModel | null = null;
  let activeProblem: string | null = null;
  try {
    active = getActiveModel(dataDir);
  } catch (err) {
    activeProblem = err instanceof Error ? err.message : String(err);
  }
  if (!active && !activeProblem && scan.models.length === 0) activeProblem = 'no model is registered yet';
  return {
    models: scan.models.map((m) => toSummary(m, active?.id ?? null)),
    active,
    activeProblem,
    problems: scan.problems,
  };
}

export function modelsHandlers(s: Services): HandlersFor<typeof modelsMethods> {
  return {
    'models.list': () => listForUi(s.app.dataDir),
    'models.setActive': ({ modelId }) => {
      const store = s.app.store;
      let before: ActiveModel | null = null;
      try {
        before = getActiveModel(s.app.dataDir);
      } catch {
        before = null; // the previous choice no longer exists; the audit row says so with null
      }
      const from = before?.id ?? null;
      // Choosing the model that applies by default pins it (a newer base model will not replace it).
      if (from !== modelId || before?.chosenBy !== 'settings') {
        // The audit row and the settings change together: if the weights fail verification or
        // the file cannot be written, the row rolls back.
        store.write(() => {
          store.audit.append({ action: 'model.activate', entity: `model:${modelId}`, details: { from, to: modelId } });
          setActiveModel(s.app.dataDir, modelId);
        });
      }
      return listForUi(s.app.dataDir);
    },
  };
}
