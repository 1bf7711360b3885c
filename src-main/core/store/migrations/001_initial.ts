import type { Migration } from './types.ts';

/*
 * The whole product's schema, version 1. Conventions:
 * - STRICT tables: a value of the wrong type is an error, not a silent conversion.
 * - Evidence (cases, subjects, documents, signatures, comparisons, audit rows) is never
 *   deleted by a cascade: every foreign key to it is ON DELETE RESTRICT. Only derived,
 *   reproducible data (embeddings) cascades.
 * - Ids that appear in reports are AUTOINCREMENT, so a number is never reused.
 * - JSON columns are checked with json_valid().
 * - Trigger messages start with an error code ('CONFLICT: ...') that the store maps to
 *   AppError, and are string literals so older sqlite3 shells can still read the schema.
 */
const SQL = `
CREATE TABLE schema_migrations (
  version     INTEGER PRIMARY KEY,
  name        TEXT NOT NULL,
  app_version TEXT NOT NULL,
  applied_at  TEXT NOT NULL
) STRICT;

CREATE TABLE models (
  id             TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 200),
  name           TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  version        TEXT NOT NULL CHECK (length(version) BETWEEN 1 AND 100),
  architecture   TEXT NOT NULL,
  weights_sha256 TEXT NOT NULL CHECK (length(weights_sha256) = 64),
  parent_id      TEXT REFERENCES models(id) ON DELETE RESTRICT,
  metadata       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
  created_at     TEXT NOT NULL,
  UNIQUE (name, version)
) STRICT;

-- Models are versioned and never overwritten: what a comparison says it used must stay true.
CREATE TRIGGER models_immutable_weights BEFORE UPDATE OF id, version, architecture, weights_sha256 ON models
BEGIN SELECT RAISE(ABORT, 'CONFLICT: a registered model is never changed; register a new version'); END;

CREATE TABLE cases (
  id                INTEGER PRIMARY KEY AUTOINCREMENT,
  name              TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  -- NFC + lower case of name: uniqueness that ignores case in every script, not only ASCII.
  name_key          TEXT NOT NULL UNIQUE,
  examiner          TEXT CHECK (examiner IS NULL OR length(examiner) <= 200),
  notes             TEXT CHECK (notes IS NULL OR length(notes) <= 20000),
  -- Upper bounds (cases.ts THRESHOLD_MAX) live in code: they depend on the model's distances.
  threshold         REAL CHECK (threshold IS NULL OR threshold > 0),
  inconclusive_band REAL NOT NULL DEFAULT 0 CHECK (inconclusive_band >= 0),
  min_references    INTEGER NOT NULL DEFAULT 3 CHECK (min_references BETWEEN 1 AND 1000),
  model_id          TEXT REFERENCES models(id) ON DELETE RESTRICT,
  status            TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'archived')),
  created_at        TEXT NOT NULL,
  updated_at        TEXT NOT NULL
) STRICT;

-- An archived case is closed: its row may only be re-opened, never edited.
CREATE TRIGGER cases_archived_readonly BEFORE UPDATE ON cases
WHEN OLD.status = 'archived' AND NEW.status = 'archived'
BEGIN SELECT RAISE(ABORT, 'CONFLICT: the case is archived; archived cases accept no changes'); END;

CREATE TRIGGER cases_no_delete BEFORE DELETE ON cases
BEGIN SELECT RAISE(ABORT, 'CONFLICT: cases are archived, never deleted'); END;

-- A subject is a writer: in one case (case_id set, scope 'case') or in the institution-wide
-- reference library (case_id NULL, scope 'library'). A case subject may point at the
-- library subject it was taken from.
CREATE TABLE subjects (
  id                 INTEGER PRIMARY KEY AUTOINCREMENT,
  case_id            INTEGER REFERENCES cases(id) ON DELETE RESTRICT,
  scope              TEXT NOT NULL CHECK (scope IN ('case', 'library')),
  name               TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  name_key           TEXT NOT NULL,
  library_subject_id INTEGER REFERENCES subjects(id) ON DELETE RESTRICT,
  notes              TEXT,
  created_at         TEXT NOT NULL,
  CHECK ((scope = 'case') = (case_id IS NOT NULL)),
  CHECK (library_subject_id IS NULL OR scope = 'case')
) STRICT;
CREATE UNIQUE INDEX subjects_case_name ON subjects(case_id, name_key) WHERE case_id IS NOT NULL;
CREATE UNIQUE INDEX subjects_library_name ON subjects(name_key) WHERE case_id IS NULL;

CREATE TABLE documents (
  id                 INTEGER PRIMARY KEY AUTOINCREMENT,
  case_id            INTEGER REFERENCES cases(id) ON DELETE RESTRICT,
  role               TEXT NOT NULL CHECK (role IN ('known', 'questioned')),
  subject_id         INTEGER REFERENCES subjects(id) ON DELETE RESTRICT,
  claimed_subject_id INTEGER REFERENCES subjects(id) ON DELETE RESTRICT,
  original_path      TEXT NOT NULL CHECK (length(original_path) > 0),
  sha256             TEXT NOT NULL CHECK (length(sha256) = 64),
  size               INTEGER NOT NULL CHECK (size >= 0),
  format             TEXT,
  width              INTEGER CHECK (width IS NULL OR width > 0),
  height             INTEGER CHECK (height IS NULL OR height > 0),
  dpi                REAL CHECK (dpi IS NULL OR dpi > 0),
  page_index         INTEGER NOT NULL DEFAULT 0 CHECK (page_index >= 0),
  status             TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'ready', 'failed', 'excluded')),
  failure_reason     TEXT,
  imported_at        TEXT NOT NULL,
  CHECK (role = 'questioned' OR subject_id IS NOT NULL),
  CHECK (role = 'known' OR subject_id IS NULL),
  CHECK (role = 'questioned' OR claimed_subject_id IS NULL),
  CHECK (case_id IS NOT NULL OR role = 'known'),
  CHECK (status <> 'failed' OR failure_reason IS NOT NULL)
) STRICT;
CREATE UNIQUE INDEX documents_case_object ON documents(case_id, sha256, page_index) WHERE case_id IS NOT NULL;
CREATE UNIQUE INDEX documents_library_object ON documents(sha256, page_index) WHERE case_id IS NULL;
CREATE INDEX documents_subject ON documents(subject_id) WHERE subject_id IS NOT NULL;
CREATE INDEX documents_claimed ON documents(claimed_subject_id) WHERE claimed_subject_id IS NOT NULL;

CREATE TRIGGER documents_no_delete BEFORE DELETE ON documents
BEGIN SELECT RAISE(ABORT, 'CONFLICT: imported documents are evidence and are never deleted; set status excluded'); END;

CREATE TRIGGER documents_subject_same_case BEFORE INSERT ON documents
WHEN (NEW.subject_id IS NOT NULL AND (SELECT case_id FROM subjects WHERE id = NEW.subject_id) IS NOT NEW.case_id)
  OR (NEW.claimed_subject_id IS NOT NULL AND (SELECT case_id FROM subjects WHERE id = NEW.claimed_subject_id) IS NOT NEW.case_id)
BEGIN SELECT RAISE(ABORT, 'INVALID_ARGUMENT: a document and its subject must belong to the same case'); END;

CREATE TRIGGER documents_subject_same_case_update BEFORE UPDATE OF case_id, subject_id, claimed_subject_id ON documents
WHEN (NEW.subject_id IS NOT NULL AND (SELECT case_id FROM subjects WHERE id = NEW.subject_id) IS NOT NEW.case_id)
  OR (NEW.claimed_subject_id IS NOT NULL AND (SELECT case_id FROM subjects WHERE id = NEW.claimed_subject_id) IS NOT NEW.case_id)
BEGIN SELECT RAISE(ABORT, 'INVALID_ARGUMENT: a document and its subject must belong to the same case'); END;

-- The original's identity never changes after import.
CREATE TRIGGER documents_original_immutable BEFORE UPDATE OF case_id, role, original_path, sha256, size, page_index, imported_at ON documents
BEGIN SELECT RAISE(ABORT, 'CONFLICT: the identity of an imported original never changes'); END;

CREATE TABLE signatures (
  id                INTEGER PRIMARY KEY AUTOINCREMENT,
  document_id       INTEGER NOT NULL REFERENCES documents(id) ON DELETE RESTRICT,
  box_x             INTEGER NOT NULL CHECK (box_x >= 0),
  box_y             INTEGER NOT NULL CHECK (box_y >= 0),
  box_w             INTEGER NOT NULL CHECK (box_w > 0),
  box_h             INTEGER NOT NULL CHECK (box_h > 0),
  confidence        REAL CHECK (confidence IS NULL OR (confidence >= 0 AND confidence <= 1)),
  low_confidence    INTEGER NOT NULL DEFAULT 0 CHECK (low_confidence IN (0, 1)),
  is_crop           INTEGER NOT NULL DEFAULT 0 CHECK (is_crop IN (0, 1)),
  source            TEXT NOT NULL DEFAULT 'auto' CHECK (source IN ('auto', 'manual')),
  status            TEXT NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'approved', 'rejected')),
  crop_sha256       TEXT CHECK (crop_sha256 IS NULL OR length(crop_sha256) = 64),
  normalised_sha256 TEXT CHECK (normalised_sha256 IS NULL OR length(normalised_sha256) = 64),
  params            TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(params)),
  quality           TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(quality)),
  created_at        TEXT NOT NULL,
  updated_at        TEXT NOT NULL
) STRICT;
CREATE INDEX signatures_document ON signatures(document_id);

CREATE TRIGGER signatures_no_delete BEFORE DELETE ON signatures
BEGIN SELECT RAISE(ABORT, 'CONFLICT: signatures are never deleted; set status rejected'); END;

-- Derived and reproducible (from the normalised image and the model): may cascade.
CREATE TABLE embeddings (
  signature_id INTEGER NOT NULL REFERENCES signatures(id) ON DELETE CASCADE,
  model_id     TEXT NOT NULL REFERENCES models(id) ON DELETE RESTRICT,
  dim          INTEGER NOT NULL CHECK (dim > 0),
  vector       BLOB NOT NULL CHECK (length(vector) = dim * 4),
  created_at   TEXT NOT NULL,
  PRIMARY KEY (signature_id, model_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX embeddings_model ON embeddings(model_id);

CREATE TABLE comparisons (
  id                      INTEGER PRIMARY KEY AUTOINCREMENT,
  case_id                 INTEGER NOT NULL REFERENCES cases(id) ON DELETE RESTRICT,
  questioned_signature_id INTEGER NOT NULL REFERENCES signatures(id) ON DELETE RESTRICT,
  subject_id              INTEGER NOT NULL REFERENCES subjects(id) ON DELETE RESTRICT,
  model_id                TEXT NOT NULL REFERENCES models(id) ON DELETE RESTRICT,
  model_sha256            TEXT NOT NULL CHECK (length(model_sha256) = 64),
  app_version             TEXT NOT NULL,
  threshold               REAL NOT NULL CHECK (threshold > 0),
  inconclusive_band       REAL NOT NULL DEFAULT 0 CHECK (inconclusive_band >= 0),
  distances               TEXT NOT NULL CHECK (json_valid(distances)),
  aggregate               REAL NOT NULL CHECK (aggregate >= 0),
  llr                     REAL,
  verbal                  TEXT,
  decision                TEXT NOT NULL CHECK (decision IN ('genuine', 'not_genuine', 'inconclusive')),
  warnings                TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(warnings) AND json_type(warnings) = 'array'),
  batch_id                TEXT,
  created_at              TEXT NOT NULL
) STRICT;
CREATE INDEX comparisons_case ON comparisons(case_id, id);
CREATE INDEX comparisons_signature ON comparisons(questioned_signature_id);
CREATE INDEX comparisons_batch ON comparisons(batch_id) WHERE batch_id IS NOT NULL;

-- A comparison is a record of what was concluded, with what: re-running adds a new row.
CREATE TRIGGER comparisons_no_update BEFORE UPDATE ON comparisons
BEGIN SELECT RAISE(ABORT, 'CONFLICT: comparison results are never changed; run the comparison again'); END;
CREATE TRIGGER comparisons_no_delete BEFORE DELETE ON comparisons
BEGIN SELECT RAISE(ABORT, 'CONFLICT: comparison results are never deleted'); END;

CREATE TABLE training_runs (
  id              TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 200),
  base_model_id   TEXT REFERENCES models(id) ON DELETE RESTRICT,
  status          TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
  params          TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(params)),
  data_summary    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(data_summary)),
  metrics         TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metrics)),
  result_model_id TEXT REFERENCES models(id) ON DELETE RESTRICT,
  error           TEXT,
  created_at      TEXT NOT NULL,
  started_at      TEXT,
  finished_at     TEXT,
  CHECK (result_model_id IS NULL OR status = 'completed')
) STRICT;

-- Append-only and hash-chained; see docs/data.md for the hash format.
CREATE TABLE audit_log (
  seq       INTEGER PRIMARY KEY CHECK (seq >= 1),
  at        TEXT NOT NULL,
  actor     TEXT NOT NULL,
  action    TEXT NOT NULL CHECK (length(action) BETWEEN 1 AND 100),
  case_id   INTEGER REFERENCES cases(id) ON DELETE RESTRICT,
  entity    TEXT,
  details   TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details)),
  prev_hash TEXT NOT NULL CHECK (length(prev_hash) = 64),
  hash      TEXT NOT NULL UNIQUE CHECK (length(hash) = 64)
) STRICT;
CREATE INDEX audit_log_case ON audit_log(case_id, seq) WHERE case_id IS NOT NULL;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'INTEGRITY: the audit log is append-only; rows cannot be changed'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'INTEGRITY: the audit log is append-only; rows cannot be deleted'); END;
`;

/** Writes into an archived case are refused by the database itself, whoever writes. */
const ARCHIVED_GUARDS = `
CREATE TRIGGER subjects_archived_case BEFORE INSERT ON subjects
WHEN (SELECT status FROM cases WHERE id = NEW.case_id) = 'archived'
BEGIN SELECT RAISE(ABORT, 'CONFLICT: the case is archived; archived cases accept no new data'); END;
CREATE TRIGGER subjects_archived_case_update BEFORE UPDATE ON subjects
WHEN (SELECT status FROM cases WHERE id = OLD.case_id) = 'archived' OR (SELECT status FROM cases WHERE id = NEW.case_id) = 'archived'
BEGIN SELECT RAISE(ABORT, 'CONFLICT: the case is archived; archived cases accept no new data'); END;

CREATE TRIGGER documents_archived_case BEFORE INSERT ON documents
WHEN (SELECT status FROM cases WHERE id = NEW.case_id) = 'archived'
BEGIN SELECT RAISE(ABORT, 'CONFLICT: the case is archived; archived cases accept no new data'); END;
CREATE TRIGGER documents_archived_case_update BEFORE UPDATE ON documents
WHEN (SELECT status FROM cases WHERE id = OLD.case_id) = 'archived'
BEGIN SELECT RAISE(ABORT, 'CONFLICT: the case is archived; archived cases accept no new data'); END;

CREATE TRIGGER signatures_archived_case BEFORE INSERT ON signatures
WHEN (SELECT c.status FROM documents d JOIN cases c ON c.id = d.case_id WHERE d.id = NEW.document_id) = 'archived'
BEGIN SELECT RAISE(ABORT, 'CONFLICT: the case is archived; archived cases accept no new data'); END;
CREATE TRIGGER signatures_archived_case_update BEFORE UPDATE ON signatures
WHEN (SELECT c.status FROM documents d JOIN cases c ON c.id = d.case_id WHERE d.id = OLD.document_id) = 'archived'
BEGIN SELECT RAISE(ABORT, 'CONFLICT: the case is archived; archived cases accept no new data'); END;

CREATE TRIGGER comparisons_archived_case BEFORE INSERT ON comparisons
WHEN (SELECT status FROM cases WHERE id = NEW.case_id) = 'archived'
BEGIN SELECT RAISE(ABORT, 'CONFLICT: the case is archived; archived cases accept no new data'); END;
`;

export const migration: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(SQL);
    db.exec(ARCHIVED_GUARDS);
  },
};
