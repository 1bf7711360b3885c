// The case-folder layout as error messages state it. A module of its own, free of imports, so
// the CLI can recognise this multi-line message without loading the import code (zod, SQLite).

export const LAYOUT_HELP = `expected a case folder laid out as
  known/<subject>/<files>               known exemplars, one folder per subject
  questioned/<claimed subject>/<files>  questioned documents, by the subject they claim to be from
  questioned/<files>                    or directly in questioned/, with case.json naming each one's subject:
  case.json                             { "questioned": { "questioned/<file>": "<subject>" } }`;
