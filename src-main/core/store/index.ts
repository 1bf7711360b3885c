/**
 * The data layer: one data directory = the SQLite case database (migrations, WAL), the
 * content-addressed object store, the hash-chained audit log and the repositories.
 * See docs/data.md.
 */
export { openStore, makeActor, defaultClient, OBJECTS_DIR, type Store, type StoreOptions } from './store.ts';
export { backupStore, restoreBackup, BACKUP_FORMAT, type BackupManifest, type BackupSummary, type RestoreSummary } from './backup.ts';
export { ObjectStore, SHA256_HEX, assertSha256, sha256Of, hashFile } from './objects.ts';
export { AuditLog, verifyAuditChain, auditRowHash, GENESIS_HASH, AUDIT_HASH_FORMAT, type AuditListOptions, type AuditVerifyOptions } from './audit.ts';
export {
  CaseRepository,
  nameKey,
  validateCaseName,
  validateThreshold,
  CASE_NAME_MAX,
  EXAMINER_MAX,
  NOTES_MAX,
  THRESHOLD_MAX,
  DEFAULT_MIN_REFERENCES,
  DEFAULT_INCONCLUSIVE_BAND,
  NO_CASE_COUNTS,
  type CaseRef,
} from './cases.ts';
export {
  DocumentRepository,
  activeSignature,
  validateSubjectName,
  SUBJECT_NAME_MAX,
  type NewDocument,
  type DocumentUpdate,
  type NewSignature,
} from './documents.ts';
export { TrainingRunRepository } from './training-runs.ts';
export { canonicalJson } from './canonical.ts';
export { verifyStore, verifyObjects, assertCaseIntegrity, type IntegrityReport } from './verify-store.ts';
export { readPublicKey, fingerprintOf, INSTALLATION_KEY_FILE, type PublicKeyInfo } from './installation-key.ts';
export { DB_FILE, toStoreError, type Db } from './database.ts';
export { LATEST_SCHEMA_VERSION, MIGRATIONS, type Migration } from './migrations/index.ts';
export type { MigrationResult } from './migrate.ts';
export type * from './types.ts';
