/**
 * The payload types the renderer reads, re-exported by ../contract.ts (`export type *`): the UI
 * imports every type from the contract, never from core/ (eslint.config.js enforces it). Types
 * only: nothing here exists at run time, so the renderer bundle gains no code from this file.
 * Add a name here when a component needs a type that a method's result or an event carries.
 */

// Stored rows and values the UI shows as they are.
export type { Box, CaseRow, Decision, DocumentRole, TrainingRunRow } from '../../core/store/types.ts';
export type { ErrorValue } from '../../core/errors.ts';

// Jobs and their progress (job.progress / job.finished events, jobs.* methods).
export type { TrainEvent } from '../../core/model/training/run.ts';
export type { CaseReportResult } from '../../core/report/case-report.ts';

// Verification as the compare and batch views show it.
export type { NaturalVariation } from '../../core/verify/compare.ts';
export type { SeriesMember, SeriesResult } from '../../core/verify/series.ts';
export type { ScoreView } from '../../core/verify/story.ts';

// Method results, per domain (ipc/methods/<domain>.ts).
export type { AlignmentRow, AnnotationRow, AutoAlignResult, MeasurementRow } from '../methods/bench.ts';
export type { CaseAudit, CaseDetail, CaseSummary } from '../methods/cases.ts';
export type { DocumentDetail, DocumentSummary, LatestComparison, SignatureView } from '../methods/documents.ts';
export type { ImageData } from '../methods/images.ts';
export type { Candidate, IdentificationResult } from '../methods/identify.ts';
export type { EnrolReport, EnrolWritersProgress, EnrolWritersReport, LibraryView } from '../methods/library.ts';
export type { ImportFileEntry, ImportReport } from '../methods/import.ts';
export type { ModelList, ModelSummary } from '../methods/models.ts';
export type { SettingsView } from '../methods/settings.ts';
export type { TrainingOptions } from '../methods/training.ts';
export type { CompareView, ResultRow, SignatureRef, VerifyResults, VerifySettingsView } from '../methods/verify.ts';
