import type { Migration } from './types.ts';

/*
 * Version 5: what a hash chain alone cannot show (docs/security.md).
 *
 * - audit_signatures: the installation key (Ed25519, a file beside the database that never
 *   goes into backups) signs the chain head at the end of every write. Someone who can edit
 *   the database but cannot read the key can no longer append a row with a correct hash.
 * - row_bindings: the content hash of every row that carries a conclusion (cases, subjects,
 *   documents, signatures, comparisons, identifications, models) as an audit row recorded it.
 *   The audit row's details hold the same hashes, so the chain covers them; this table is the
 *   index that finds a row's latest hash without reading the whole log.
 * - models.identity_sha256: the hash of everything in metadata.json that affects a score
 *   (model/registry/identity.ts), so an edit to the metadata after registration is caught at load.
 */
const SQL = `
CREATE TABLE audit_signatures (
  seq        INTEGER PRIMARY KEY REFERENCES audit_log(seq) ON DELETE RESTRICT,
  hash       TEXT NOT NULL CHECK (length(hash) = 64),
  public_key TEXT NOT NULL CHECK (length(public_key) = 44),
  signature  TEXT NOT NULL CHECK (length(signature) = 88),
  signed_at  TEXT NOT NULL
) STRICT;
CREATE TRIGGER audit_signatures_no_update BEFORE UPDATE ON audit_signatures
BEGIN SELECT RAISE(ABORT, 'INTEGRITY: audit signatures are append-only; they cannot be changed'); END;
CREATE TRIGGER audit_signatures_no_delete BEFORE DELETE ON audit_signatures
BEGIN SELECT RAISE(ABORT, 'INTEGRITY: audit signatures are append-only; they cannot be deleted'); END;

CREATE TABLE row_bindings (
  tbl            TEXT NOT NULL,
  row_id         TEXT NOT NULL,
  seq            INTEGER NOT NULL REFERENCES audit_log(seq) ON DELETE RESTRICT,
  sha256         TEXT NOT NULL CHECK (length(sha256) = 64),
  schema_version INTEGER NOT NULL CHECK (schema_version >= 5),
  PRIMARY KEY (tbl, row_id, seq)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER row_bindings_no_update BEFORE UPDATE ON row_bindings
BEGIN SELECT RAISE(ABORT, 'INTEGRITY: row bindings are append-only; they cannot be changed'); END;
CREATE TRIGGER row_bindings_no_delete BEFORE DELETE ON row_bindings
BEGIN SELECT RAISE(ABORT, 'INTEGRITY: row bindings are append-only; they cannot be deleted'); END;

ALTER TABLE models ADD COLUMN identity_sha256 TEXT CHECK (identity_sha256 IS NULL OR length(identity_sha256) = 64);
CREATE TRIGGER models_identity_final BEFORE UPDATE OF identity_sha256 ON models
WHEN OLD.identity_sha256 IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'CONFLICT: a model''s recorded identity never changes; register a new version'); END;
`;

export const migration: Migration = {
  version: 5,
  name: 'integrity',
  up(db) {
    db.exec(SQL);
  },
};
