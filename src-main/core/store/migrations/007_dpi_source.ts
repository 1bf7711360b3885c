import type { Migration } from './types.ts';

/*
 * Version 7: where a document's resolution came from (true-scale viewing, docs/compare.md).
 *
 * documents.dpi has been stored since version 1, read from the file (PNG pHYs, JPEG JFIF/EXIF,
 * TIFF resolution tags) when plausible. An examiner may now give a resolution on import for
 * files that carry none (`countersign import --dpi N`, the import dialog); dpi_source says which
 * it is, so a view at "true scale" can say when its scale rests on an entered figure:
 *   'file'    read from the file;
 *   'entered' given by the examiner on import for a file without one;
 *   NULL      unknown (dpi is NULL too).
 * Rows imported before this version with a resolution got it from the file.
 *
 * (Numbered 7: version 6 is taken by a migration developed alongside this one.)
 */
const SQL = `
ALTER TABLE documents ADD COLUMN dpi_source TEXT CHECK (dpi_source IS NULL OR dpi_source IN ('file', 'entered'));
UPDATE documents SET dpi_source = 'file' WHERE dpi IS NOT NULL;
CREATE TRIGGER documents_dpi_source_insert BEFORE INSERT ON documents
WHEN (NEW.dpi IS NULL) <> (NEW.dpi_source IS NULL)
BEGIN SELECT RAISE(ABORT, 'INVALID_ARGUMENT: a document''s dpi and dpi_source are both set or both unset'); END;
CREATE TRIGGER documents_dpi_source_update BEFORE UPDATE OF dpi, dpi_source ON documents
WHEN (NEW.dpi IS NULL) <> (NEW.dpi_source IS NULL)
BEGIN SELECT RAISE(ABORT, 'INVALID_ARGUMENT: a document''s dpi and dpi_source are both set or both unset'); END;
`;

export const migration: Migration = {
  version: 7,
  name: 'dpi_source',
  up(db) {
    db.exec(SQL);
  },
};
