import type { Migration } from './types.ts';

/*
 * Version 6: the examiner's bench (issue 17, docs/bench.md): what the examiner recorded while
 * looking at Q and K, kept as evidence beside the comparisons.
 *
 * - bench_alignments: an overlay alignment of a reference signature (K) onto a questioned one
 *   (Q), per comparison when there is one: shift in mm, rotation, scale, opacity, the DPI of
 *   each crop it was made at, and the automatic best fit it started from.
 * - bench_measurements: a length, slant angle, height ratio or baseline on one signature's
 *   crop: the value with its unit, computed by Countersign from the points (pixels of the
 *   crop) and the DPI used.
 * - bench_annotations: marks on a crop (arrow, circle, free text) and notes on a signature.
 *
 * Rows are never changed and never deleted: a deletion is a tombstone (deleted_at and the
 * examiner's reason, set once). Every row is bound to the audit chain (row-bindings.ts).
 * Each row belongs to the case of its signatures, and an archived case accepts none.
 */
const TABLES = `
CREATE TABLE bench_alignments (
  id                      INTEGER PRIMARY KEY AUTOINCREMENT,
  case_id                 INTEGER NOT NULL REFERENCES cases(id) ON DELETE RESTRICT,
  questioned_signature_id INTEGER NOT NULL REFERENCES signatures(id) ON DELETE RESTRICT,
  reference_signature_id  INTEGER NOT NULL REFERENCES signatures(id) ON DELETE RESTRICT,
  comparison_id           INTEGER REFERENCES comparisons(id) ON DELETE RESTRICT,
  dx_mm                   REAL NOT NULL CHECK (abs(dx_mm) <= 1000),
  dy_mm                   REAL NOT NULL CHECK (abs(dy_mm) <= 1000),
  rotation_deg            REAL NOT NULL CHECK (rotation_deg >= -180 AND rotation_deg <= 180),
  scale                   REAL NOT NULL CHECK (scale >= 0.1 AND scale <= 10),
  opacity                 REAL CHECK (opacity IS NULL OR (opacity >= 0 AND opacity <= 1)),
  questioned_dpi          REAL NOT NULL CHECK (questioned_dpi > 0),
  reference_dpi           REAL NOT NULL CHECK (reference_dpi > 0),
  auto_fit                TEXT CHECK (auto_fit IS NULL OR json_valid(auto_fit)),
  note                    TEXT CHECK (note IS NULL OR length(note) <= 2000),
  created_at              TEXT NOT NULL,
  deleted_at              TEXT,
  deleted_reason          TEXT CHECK (deleted_reason IS NULL OR length(deleted_reason) BETWEEN 1 AND 2000),
  CHECK (questioned_signature_id <> reference_signature_id),
  CHECK ((deleted_at IS NULL) = (deleted_reason IS NULL))
) STRICT;
CREATE INDEX bench_alignments_pair ON bench_alignments(questioned_signature_id, reference_signature_id, id);
CREATE INDEX bench_alignments_case ON bench_alignments(case_id, id);

CREATE TABLE bench_measurements (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  case_id        INTEGER NOT NULL REFERENCES cases(id) ON DELETE RESTRICT,
  signature_id   INTEGER NOT NULL REFERENCES signatures(id) ON DELETE RESTRICT,
  crop_sha256    TEXT NOT NULL CHECK (length(crop_sha256) = 64),
  kind           TEXT NOT NULL CHECK (kind IN ('length', 'angle', 'height_ratio', 'baseline')),
  value          REAL NOT NULL,
  unit           TEXT NOT NULL CHECK (unit IN ('mm', 'deg', 'ratio')),
  points         TEXT NOT NULL CHECK (json_valid(points) AND json_type(points) = 'array'),
  dpi            REAL CHECK (dpi IS NULL OR dpi > 0),
  dpi_source     TEXT CHECK (dpi_source IS NULL OR dpi_source IN ('document', 'given')),
  label          TEXT CHECK (label IS NULL OR length(label) <= 500),
  created_at     TEXT NOT NULL,
  deleted_at     TEXT,
  deleted_reason TEXT CHECK (deleted_reason IS NULL OR length(deleted_reason) BETWEEN 1 AND 2000),
  CHECK (unit = CASE kind WHEN 'length' THEN 'mm' WHEN 'height_ratio' THEN 'ratio' ELSE 'deg' END),
  CHECK (kind <> 'length' OR dpi IS NOT NULL),
  CHECK ((dpi IS NULL) = (dpi_source IS NULL)),
  CHECK ((deleted_at IS NULL) = (deleted_reason IS NULL))
) STRICT;
CREATE INDEX bench_measurements_signature ON bench_measurements(signature_id, id);
CREATE INDEX bench_measurements_case ON bench_measurements(case_id, id);

CREATE TABLE bench_annotations (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  case_id        INTEGER NOT NULL REFERENCES cases(id) ON DELETE RESTRICT,
  signature_id   INTEGER NOT NULL REFERENCES signatures(id) ON DELETE RESTRICT,
  crop_sha256    TEXT CHECK (crop_sha256 IS NULL OR length(crop_sha256) = 64),
  kind           TEXT NOT NULL CHECK (kind IN ('arrow', 'circle', 'text', 'note')),
  geometry       TEXT CHECK (geometry IS NULL OR json_valid(geometry)),
  text           TEXT CHECK (text IS NULL OR length(text) BETWEEN 1 AND 5000),
  color          TEXT CHECK (color IS NULL OR (length(color) = 7 AND color GLOB '#[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]')),
  created_at     TEXT NOT NULL,
  deleted_at     TEXT,
  deleted_reason TEXT CHECK (deleted_reason IS NULL OR length(deleted_reason) BETWEEN 1 AND 2000),
  CHECK ((kind = 'note') = (geometry IS NULL)),
  CHECK ((kind = 'note') = (crop_sha256 IS NULL)),
  CHECK (kind NOT IN ('text', 'note') OR text IS NOT NULL),
  CHECK ((deleted_at IS NULL) = (deleted_reason IS NULL))
) STRICT;
CREATE INDEX bench_annotations_signature ON bench_annotations(signature_id, id);
CREATE INDEX bench_annotations_case ON bench_annotations(case_id, id);
`;

/** Recorded, never edited: the only change a row accepts is its tombstone, once. */
function guards(table: string, what: string, content: string): string {
  return `
CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table}
BEGIN SELECT RAISE(ABORT, 'CONFLICT: ${what} are never deleted; record a deletion with a reason'); END;
CREATE TRIGGER ${table}_no_update BEFORE UPDATE OF ${content} ON ${table}
BEGIN SELECT RAISE(ABORT, 'CONFLICT: ${what} are never changed; delete one and record a new one'); END;
CREATE TRIGGER ${table}_deleted_final BEFORE UPDATE OF deleted_at, deleted_reason ON ${table}
WHEN OLD.deleted_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'CONFLICT: a deleted record stays deleted'); END;
CREATE TRIGGER ${table}_archived_case BEFORE INSERT ON ${table}
WHEN (SELECT status FROM cases WHERE id = NEW.case_id) = 'archived'
BEGIN SELECT RAISE(ABORT, 'CONFLICT: the case is archived; archived cases accept no new data'); END;
CREATE TRIGGER ${table}_archived_case_update BEFORE UPDATE ON ${table}
WHEN (SELECT status FROM cases WHERE id = OLD.case_id) = 'archived'
BEGIN SELECT RAISE(ABORT, 'CONFLICT: the case is archived; archived cases accept no new data'); END;
`;
}

/** A bench row and the signatures it is about belong to one case. */
const SAME_CASE = `
CREATE TRIGGER bench_alignments_same_case BEFORE INSERT ON bench_alignments
WHEN (SELECT d.case_id FROM signatures s JOIN documents d ON d.id = s.document_id WHERE s.id = NEW.questioned_signature_id) IS NOT NEW.case_id
  OR (SELECT d.case_id FROM signatures s JOIN documents d ON d.id = s.document_id WHERE s.id = NEW.reference_signature_id) IS NOT NEW.case_id
  OR (NEW.comparison_id IS NOT NULL AND (SELECT questioned_signature_id FROM comparisons WHERE id = NEW.comparison_id) IS NOT NEW.questioned_signature_id)
BEGIN SELECT RAISE(ABORT, 'INVALID_ARGUMENT: an alignment, its signatures and its comparison must belong to one case and one questioned signature'); END;
CREATE TRIGGER bench_measurements_same_case BEFORE INSERT ON bench_measurements
WHEN (SELECT d.case_id FROM signatures s JOIN documents d ON d.id = s.document_id WHERE s.id = NEW.signature_id) IS NOT NEW.case_id
BEGIN SELECT RAISE(ABORT, 'INVALID_ARGUMENT: a measurement and its signature must belong to the same case'); END;
CREATE TRIGGER bench_annotations_same_case BEFORE INSERT ON bench_annotations
WHEN (SELECT d.case_id FROM signatures s JOIN documents d ON d.id = s.document_id WHERE s.id = NEW.signature_id) IS NOT NEW.case_id
BEGIN SELECT RAISE(ABORT, 'INVALID_ARGUMENT: an annotation and its signature must belong to the same case'); END;
`;

export const migration: Migration = {
  version: 6,
  name: 'bench',
  up(db) {
    db.exec(TABLES);
    db.exec(
      guards(
        'bench_alignments',
        'overlay alignments',
        'id, case_id, questioned_signature_id, reference_signature_id, comparison_id, dx_mm, dy_mm, rotation_deg, scale, opacity, questioned_dpi, reference_dpi, auto_fit, note, created_at',
      ),
    );
    db.exec(
      guards('bench_measurements', 'measurements', 'id, case_id, signature_id, crop_sha256, kind, value, unit, points, dpi, dpi_source, label, created_at'),
    );
    db.exec(guards('bench_annotations', 'annotations and notes', 'id, case_id, signature_id, crop_sha256, kind, geometry, text, color, created_at'));
    db.exec(SAME_CASE);
  },
};
