import type { Migration } from './types.ts';

/*
 * Version 4: identifications may record the HNSW search (issue 19, docs/identification.md).
 *
 * `identifications.method` was limited to 'sqlite-vec' and 'exact'; an identification whose
 * candidates came from the approximate HNSW writer index records 'hnsw'. SQLite cannot change
 * a CHECK constraint in place, so the table is rebuilt with the same columns, rows, index and
 * append-only triggers. Nothing else references it.
 */
const SQL = `
CREATE TABLE identifications_v4 (
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
  method                  TEXT NOT NULL CHECK (method IN ('hnsw', 'sqlite-vec', 'exact')),
  outcome                 TEXT NOT NULL CHECK (outcome IN ('candidates', 'no-match', 'undecided', 'empty')),
  top_k                   INTEGER NOT NULL CHECK (top_k >= 1),
  results                 TEXT NOT NULL CHECK (json_valid(results)),
  created_at              TEXT NOT NULL,
  CHECK ((scope = 'case') = (case_id IS NOT NULL)),
  CHECK (query_signature_id IS NOT NULL OR query_sha256 IS NOT NULL)
) STRICT;
INSERT INTO identifications_v4 SELECT * FROM identifications ORDER BY id;
DROP TABLE identifications;
ALTER TABLE identifications_v4 RENAME TO identifications;
CREATE INDEX identifications_signature ON identifications(query_signature_id) WHERE query_signature_id IS NOT NULL;
CREATE TRIGGER identifications_no_update BEFORE UPDATE ON identifications
BEGIN SELECT RAISE(ABORT, 'CONFLICT: identification results are never changed; run the identification again'); END;
CREATE TRIGGER identifications_no_delete BEFORE DELETE ON identifications
BEGIN SELECT RAISE(ABORT, 'CONFLICT: identification results are never deleted'); END;
`;

export const migration: Migration = {
  version: 4,
  name: 'search_method',
  up(db) {
    db.exec(SQL);
  },
};
