import type { Migration } from './types.ts';

/*
 * Version 3: the score a comparison was decided on (scoring/score.ts). Comparisons made before
 * it are mean distances ('mean-distance'); models trained since score Q against the writer's
 * natural variation ('kk-ratio'). Old rows keep the score they were made with: the column's
 * default records what they are. Its parameters (prior, weight, the K-K scale) are in the row's
 * `distances` JSON.
 */
const SQL = `
ALTER TABLE comparisons ADD COLUMN score_method TEXT NOT NULL DEFAULT 'mean-distance'
  CHECK (score_method IN ('mean-distance', 'kk-ratio'));
`;

export const migration: Migration = {
  version: 3,
  name: 'score_method',
  up(db) {
    db.exec(SQL);
  },
};
