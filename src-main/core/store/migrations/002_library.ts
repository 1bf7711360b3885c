import type { Migration } from './types.ts';

/*
 * Version 2: the reference library and writer identification (docs/identification.md).
 *
 * - Library subjects (scope 'library', from 001) can be withdrawn: marked, with a reason,
 *   never deleted, and no longer ranked. Their documents and signatures stay as evidence.
 * - library_enrolments: one row per enrolment (from image files or from a case's subject).
 * - embedding_log: every insert or delete of an embedding, in commit order, written by
 *   triggers whoever writes the embeddings. The sqlite-vec index lives in a separate,
 *   derived file (it needs the extension loaded, and this database must open without it);
 *   it catches up from this log, so it can always be rebuilt or brought up to date.
 * - identifications: what an identification concluded, with what; never changed.
 */
const SQL = `
ALTER TABLE subjects ADD COLUMN withdrawn_at TEXT;
ALTER TABLE subjects ADD COLUMN withdrawn_reason TEXT;

CREATE TRIGGER subjects_withdrawn_final BEFORE UPDATE OF withdrawn_at, withdrawn_reason ON subjects
WHEN OLD.withdrawn_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'CONFLICT: a withdrawn library subject stays withdrawn'); END;

CREATE TRIGGER subjects_withdraw_rules BEFORE UPDATE OF withdrawn_at ON subjects
WHEN NEW.withdrawn_at IS NOT NULL AND (NEW.scope <> 'library' OR NEW.withdrawn_reason IS NULL OR length(trim(NEW.withdrawn_reason)) = 0)
BEGIN SELECT RAISE(ABORT, 'INVALID_ARGUMENT: only a library subject can be withdrawn, and a withdrawal needs a reason'); END;

CREATE TRIGGER subjects_library_no_delete BEFORE DELETE ON subjects
WHEN OLD.scope = 'library'
BEGIN SELECT RAISE(ABORT, 'CONFLICT: library subjects are withdrawn, never deleted'); END;

CREATE TRIGGER subjects_library_link BEFORE UPDATE OF library_subject_id ON subjects
WHEN NEW.library_subject_id IS NOT NULL AND (SELECT scope FROM subjects WHERE id = NEW.library_subject_id) IS NOT 'library'
BEGIN SELECT RAISE(ABORT, 'INVALID_ARGUMENT: library_subject_id must name a library subject'); END;

CREATE TRIGGER subjects_library_link_insert BEFORE INSERT ON subjects
WHEN NEW.library_subject_id IS NOT NULL AND (SELECT scope FROM subjects WHERE id = NEW.library_subject_id) IS NOT 'library'
BEGIN SELECT RAISE(ABORT, 'INVALID_ARGUMENT: library_subject_id must name a library subject'); END;

CREATE TRIGGER documents_withdrawn_subject BEFORE INSERT ON documents
WHEN NEW.subject_id IS NOT NULL AND (SELECT withdrawn_at FROM subjects WHERE id = NEW.subject_id) IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'CONFLICT: the library subject is withdrawn; it accepts no new exemplars'); END;

CREATE TABLE library_enrolments (
  id                INTEGER PRIMARY KEY AUTOINCREMENT,
  subject_id        INTEGER NOT NULL REFERENCES subjects(id) ON DELETE RESTRICT,
  source            TEXT NOT NULL CHECK (source IN ('files', 'case')),
  source_case_id    INTEGER REFERENCES cases(id) ON DELETE RESTRICT,
  source_subject_id INTEGER REFERENCES subjects(id) ON DELETE RESTRICT,
  model_id          TEXT REFERENCES models(id) ON DELETE RESTRICT,
  documents         TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(documents) AND json_type(documents) = 'array'),
  report            TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(report)),
  created_at        TEXT NOT NULL,
  CHECK ((source = 'case') = (source_subject_id IS NOT NULL))
) STRICT;
CREATE INDEX library_enrolments_subject ON library_enrolments(subject_id);
CREATE TRIGGER library_enrolments_no_update BEFORE UPDATE ON library_enrolments
BEGIN SELECT RAISE(ABORT, 'CONFLICT: enrolment records are never changed'); END;
CREATE TRIGGER library_enrolments_no_delete BEFORE DELETE ON library_enrolments
BEGIN SELECT RAISE(ABORT, 'CONFLICT: enrolment records are never deleted'); END;

-- No foreign keys: the log must outlive what it describes (a delete is logged too).
CREATE TABLE embedding_log (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  signature_id INTEGER NOT NULL,
  model_id     TEXT NOT NULL,
  op           TEXT NOT NULL CHECK (op IN ('insert', 'delete'))
) STRICT;
CREATE INDEX embedding_log_model ON embedding_log(model_id, seq);
INSERT INTO embedding_log (signature_id, model_id, op) SELECT signature_id, model_id, 'insert' FROM embeddings ORDER BY model_id, signature_id;

CREATE TRIGGER embeddings_log_insert AFTER INSERT ON embeddings
BEGIN INSERT INTO embedding_log (signature_id, model_id, op) VALUES (NEW.signature_id, NEW.model_id, 'insert'); END;
CREATE TRIGGER embeddings_log_delete AFTER DELETE ON embeddings
BEGIN INSERT INTO embedding_log (signature_id, model_id, op) VALUES (OLD.signature_id, OLD.model_id, 'delete'); END;
CREATE TRIGGER embeddings_log_update AFTER UPDATE ON embeddings
BEGIN
  INSERT INTO embedding_log (signature_id, model_id, op) VALUES (OLD.signature_id, OLD.model_id, 'delete');
  INSERT INTO embedding_log (signature_id, model_id, op) VALUES (NEW.signature_id, NEW.model_id, 'insert');
END;

CREATE TABLE identifications (
  id                      INTEGER PRIMARY KEY AUTOINCREMENT,
  scope                   TEXT NOT NULL CHECK (scope IN ('library', 'case')),
  case_id                 INTEGER REFERENCES cases(id) ON DELETE RESTRICT,
  query_signature_id      INTEGER REFERENCES signatures(id) ON DELETE RESTRICT,
  query_sha256            TEXT CHECK (query_sha256 IS NULL OR length(query_sha256) = 64),
  query_normalised_sha256 TEXT NOT NULL CHECK (length(query_normalised_sha256) = 64),
  model_id                TEXT NOT NULL REFERENCES models(id) ON DELETE RESTRICT,
  model_sha256            TEXT NOT NULL CHECK (length(model_sha256) = 64),
  app_version             TEXT NOT NULL,
  metric                  TEXT NOT NULL CHECK (metric IN ('euclidean', 'cosine')),
  threshold               REAL CHECK (threshold IS NULL OR threshold > 0),
  threshold_source        TEXT CHECK (threshold_source IS NULL OR threshold_source IN ('case', 'model', 'given')),
  writers_ranked          INTEGER NOT NULL CHECK (writers_ranked >= 0),
  exemplars               INTEGER NOT NULL CHECK (exemplars >= 0),
  method                  TEXT NOT NULL CHECK (method IN ('sqlite-vec', 'exact')),
  outcome                 TEXT NOT NULL CHECK (outcome IN ('candidates', 'no-match', 'undecided', 'empty')),
  top_k                   INTEGER NOT NULL CHECK (top_k >= 1),
  results                 TEXT NOT NULL CHECK (json_valid(results)),
  created_at              TEXT NOT NULL,
  CHECK ((scope = 'case') = (case_id IS NOT NULL)),
  CHECK (query_signature_id IS NOT NULL OR query_sha256 IS NOT NULL)
) STRICT;
CREATE INDEX identifications_signature ON identifications(query_signature_id) WHERE query_signature_id IS NOT NULL;
CREATE TRIGGER identifications_no_update BEFORE UPDATE ON identifications
BEGIN SELECT RAISE(ABORT, 'CONFLICT: identification results are never changed; run the identification again'); END;
CREATE TRIGGER identifications_no_delete BEFORE DELETE ON identifications
BEGIN SELECT RAISE(ABORT, 'CONFLICT: identification results are never deleted'); END;
`;

export const migration: Migration = {
  version: 2,
  name: 'library',
  up(db) {
    db.exec(SQL);
  },
};
