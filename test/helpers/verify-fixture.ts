/**
 * A verifiable case written straight into a store the way an import leaves it (signature
 * crops normalised by imaging/normaliseSignature, quality recorded), and a registered
 * `signet-tiny` model, so verification and reports can be tested on their own.
 * Images come from the synthetic generator with fixed seeds.
 */
import { storedQuality } from '../../src-main/core/imaging/derive.ts';
import { normaliseSignature } from '../../src-main/core/imaging/normalise.ts';
import { getSpec } from '../../src-main/core/model/architectures.ts';
import { disposeParams, initParams } from '../../src-main/core/model/network.ts';
import { saveModel, type ModelMetadata } from '../../src-main/core/model/registry/registry.ts';
import type { Store } from '../../src-main/core/store/index.ts';
import { createWriter, renderSignature } from '../../src-main/core/synth/index.ts';
import { fitCalibration } from '../../src-main/core/scoring/calibration.ts';
import type { Scoring } from '../../src-main/core/scoring/score.ts';

const now = () => new Date().toISOString();

export interface FixtureDocument {
  documentId: number;
  signatureId: number;
  path: string;
  subjectId: number | null;
  /** For questioned documents: whether the claimed subject really wrote it. */
  genuine?: boolean;
}

export interface VerifiableCase {
  caseId: number;
  subjects: { id: number; name: string }[];
  known: FixtureDocument[];
  questioned: FixtureDocument[];
}

async function addSignatureDocument(
  store: Store,
  d: { caseId: number; role: 'known' | 'questioned'; subjectId: number | null; path: string; png: Buffer; width: number; height: number },
): Promise<{ documentId: number; signatureId: number }> {
  const n = await normaliseSignature({ data: d.png, name: d.path });
  const sha = store.objects.put(d.png);
  const normSha = store.objects.put(n.png);
  return store.write(() => {
    const doc = Number(
      store.db
        .prepare(
          `INSERT INTO documents (case_id, role, subject_id, claimed_subject_id, original_path, sha256, size, format, status, imported_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, 'png', 'ready', ?)`,
        )
        .run(d.caseId, d.role, d.role === 'known' ? d.subjectId : null, d.role === 'questioned' ? d.subjectId : null, d.path, sha, d.png.length, now())
        .lastInsertRowid,
    );
    const sig = Number(
      store.db
        .prepare(
          `INSERT INTO signatures (document_id, box_x, box_y, box_w, box_h, is_crop, status, crop_sha256, normalised_sha256, params, quality, created_at, updated_at)
           VALUES (?, 0, 0, ?, ?, 1, 'approved', ?, ?, ?, ?, ?, ?)`,
        )
        .run(doc, d.width, d.height, sha, normSha, JSON.stringify(n.params), JSON.stringify(storedQuality(n.quality)), now(), now()).lastInsertRowid,
    );
    store.audit.append({ action: 'document.import', caseId: d.caseId, entity: `document:${doc}`, details: { path: d.path, sha256: sha } });
    return { documentId: doc, signatureId: sig };
  });
}

/**
 * `subjects` writers with `known` genuine crops each; per subject `questioned` questioned
 * crops alternating genuine and skilled forgery (claimed to be from that subject).
 */
export async function seedVerifiableCase(
  store: Store,
  opts: { name?: string; subjects?: number; known?: number; questioned?: number; seed?: number; threshold?: number | null } = {},
): Promise<VerifiableCase> {
  const seed = opts.seed ?? 7;
  const c = store.cases.create({ name: opts.name ?? 'Verification fixture', examiner: 'A. Examiner', threshold: opts.threshold ?? null });
  const out: VerifiableCase = { caseId: c.id, subjects: [], known: [], questioned: [] };
  for (let s = 0; s < (opts.subjects ?? 2); s++) {
    const writer = createWriter(seed, `w${s + 1}`);
    const subjectId = store.write(() =>
      Number(
        store.db
          .prepare("INSERT INTO subjects (case_id, scope, name, name_key, created_at) VALUES (?, 'case', ?, ?, ?)")
          .run(c.id, writer.name, writer.name.toLowerCase(), now()).lastInsertRowid,
      ),
    );
    out.subjects.push({ id: subjectId, name: writer.name });
    for (let k = 0; k < (opts.known ?? 4); k++) {
      const img = await renderSignature(writer, { sampleIndex: k, dpi: 150 });
      const path = `known/${writer.last.toLowerCase()}/k${k + 1}.png`;
      out.known.push({
        ...(await addSignatureDocument(store, { caseId: c.id, role: 'known', subjectId, path, png: img.data, width: img.width, height: img.height })),
        path,
        subjectId,
      });
    }
    for (let q = 0; q < (opts.questioned ?? 2); q++) {
      const genuine = q % 2 === 0;
      const img = await renderSignature(writer, { sampleIndex: 50 + q, kind: genuine ? 'genuine' : 'skilled', dpi: 150 });
      const path = `questioned/${writer.last.toLowerCase()}/q${q + 1}.png`;
      out.questioned.push({
        ...(await addSignatureDocument(store, { caseId: c.id, role: 'questioned', subjectId, path, png: img.data, width: img.width, height: img.height })),
        path,
        subjectId,
        genuine,
      });
    }
  }
  return out;
}

/**
 * A random-weight `signet-tiny` in the data directory's registry. Calibrated (on made-up
 * validation distances around `eerThreshold`) unless `calibrated: false`.
 */
export async function saveTinyModel(
  dataDir: string,
  opts: { calibrated?: boolean; eerThreshold?: number; seed?: number; name?: string; scoring?: Scoring } = {},
): Promise<ModelMetadata> {
  const spec = getSpec('signet-tiny');
  const params = initParams(spec, opts.seed ?? 3);
  const t = opts.eerThreshold ?? 0.5;
  const same = Array.from({ length: 40 }, (_, i) => t * (0.5 + (i / 40) * 0.7));
  const diff = Array.from({ length: 40 }, (_, i) => t * (0.8 + (i / 40) * 0.9));
  const calibration = opts.calibrated === false ? null : { ...fitCalibration(same, diff), eerThreshold: t };
  try {
    return await saveModel(dataDir, {
      metadata: {
        name: opts.name ?? 'tiny fixture',
        architecture: 'signet-tiny',
        inputShape: spec.inputShape,
        embeddingSize: spec.embeddingSize,
        preprocessing: { inputScale: 1 },
        metrics: { eer: 0.25, auc: 0.8, eerThreshold: t },
        calibration,
        validationDistances: { same, diff },
        ...(opts.scoring ? { scoring: opts.scoring } : {}),
      },
      weights: [...params.tensors.entries()].map(([name, tensor]) => ({ name, tensor })),
    });
  } finally {
    disposeParams(params);
  }
}
