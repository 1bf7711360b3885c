/**
 * Synthetic signatures and cheques with known ground truth: writers with a latent
 * signature (sigma-lognormal motor plans), genuine samples and skilled forgeries, cheque
 * scans with the signature's box, datasets with manifest.csv and case folders with
 * truth.json. Same seed, same bytes. See docs/synth.md.
 */
export { createWriter, type Writer, type SignatureStyle } from './writer.ts';
export { renderSignature, rasteriseSignature, type SignatureOptions, type SignatureImage, type RasterImage, type Box } from './signature.ts';
export { renderCheque, rasteriseCheque, CHEQUE_MM, type ChequeOptions, type ChequeImage, type ChequeRaster } from './cheque.ts';
export { generateDataset, writerId, type DatasetOptions, type DatasetSummary, type DatasetRow } from './dataset.ts';
export { generateCase, type CaseOptions, type CaseSummary, type CaseTruth, type CaseTruthEntry, type CaseSubject } from './case.ts';
export { renderPreview, type PreviewOptions } from './preview.ts';
export { FORGERS, type SampleKind } from './sample.ts';
export type { ImageFormat } from './encode.ts';
export type { JobHooks, ProgressFn } from './jobs.ts';
