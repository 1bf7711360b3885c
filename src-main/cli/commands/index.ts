import type { CommandEntry, CommandImpl } from '../command.ts';

/*
 * What `countersign --help` lists, and where each command lives. Only this light metadata is
 * read at start-up; a command's module (its options, description and run, and through them
 * TensorFlow.js, sharp, SQLite...) is imported when that command runs or its own --help is
 * asked for. test/unit/cli/command-index.test.ts checks that every entry's module defines it.
 */

const doctor = (): Promise<readonly CommandImpl[]> => import('./doctor.ts').then((m) => m.commands);
const demo = (): Promise<readonly CommandImpl[]> => import('./demo.ts').then((m) => m.commands);
const caseCommands = (): Promise<readonly CommandImpl[]> => import('./case.ts').then((m) => m.commands);
const importCommands = (): Promise<readonly CommandImpl[]> => import('./import.ts').then((m) => m.commands);
const verify = (): Promise<readonly CommandImpl[]> => import('./verify.ts').then((m) => m.commands);
const series = (): Promise<readonly CommandImpl[]> => import('./series.ts').then((m) => m.commands);
const report = (): Promise<readonly CommandImpl[]> => import('./report.ts').then((m) => m.commands);
const identify = (): Promise<readonly CommandImpl[]> => import('./identify.ts').then((m) => m.commands);
const library = (): Promise<readonly CommandImpl[]> => import('./library.ts').then((m) => m.commands);
const prepare = (): Promise<readonly CommandImpl[]> => import('./prepare.ts').then((m) => m.commands);
const train = (): Promise<readonly CommandImpl[]> => import('./train.ts').then((m) => m.commands);
const evalCommands = (): Promise<readonly CommandImpl[]> => import('./eval.ts').then((m) => m.commands);
const models = (): Promise<readonly CommandImpl[]> => import('./models.ts').then((m) => m.commands);
const synth = (): Promise<readonly CommandImpl[]> => import('./synth.ts').then((m) => m.commands);
const audit = (): Promise<readonly CommandImpl[]> => import('./audit.ts').then((m) => m.commands);
const backup = (): Promise<readonly CommandImpl[]> => import('./backup.ts').then((m) => m.commands);
const serve = (): Promise<readonly CommandImpl[]> => import('./serve.ts').then((m) => m.commands);
const bench = (): Promise<readonly CommandImpl[]> => import('./bench.ts').then((m) => m.commands);

/** Every `countersign` command, in the order `--help` lists them. */
export const commandIndex: readonly CommandEntry[] = [
  {
    name: 'doctor',
    summary:
      'Show the app version, TensorFlow.js backend and embedding engine (and why better ones are unavailable), Electron, the data directory, its access rights and its installation key',
    load: doctor,
  },
  {
    name: 'demo',
    summary: 'The whole job on a synthetic demo case: generate, import, verify, summary table and PDF report',
    usage: '[--out DIR] [--seed S] [--subjects N] [--known K] [--questioned Q]',
    load: demo,
  },
  {
    name: 'case create',
    summary: 'Create a case',
    usage: '<name> [--examiner E] [--threshold T] [--notes N]',
    load: caseCommands,
  },
  {
    name: 'case list',
    summary: 'List cases (open ones unless --all)',
    usage: '[--all] [--search TEXT]',
    load: caseCommands,
  },
  {
    name: 'case show',
    summary: 'Show one case',
    usage: '<name|id>',
    load: caseCommands,
  },
  {
    name: 'case set-threshold',
    summary: "Set a case's decision threshold ('default' = the model's), with the reason; audited with old and new value",
    usage: '<name|id> <T|default> --reason TEXT',
    load: caseCommands,
  },
  {
    name: 'case archive',
    summary: 'Archive a case: its data and audit trail are kept, it accepts no further changes',
    usage: '<name|id>',
    load: caseCommands,
  },
  {
    name: 'import',
    summary: 'Import a case folder of scans into a case: originals kept, signatures found, cropped and normalised',
    usage: '<folder> --case <name|id> [--dpi N] [--workers N] [--strict] [--json]',
    load: importCommands,
  },
  {
    name: 'crop',
    summary: "Correct a document's signature box: the signature is cut again from the original and recorded as a manual crop",
    usage: '<document-id> --box x,y,w,h [--json]',
    load: importCommands,
  },
  {
    name: 'verify',
    summary: "Verify every questioned signature of a case against its claimed subject's known signatures",
    usage: '--case <name|id> [--document ID]',
    load: verify,
  },
  {
    name: 'series',
    summary: "Group a case's questioned signatures by hand: were they written by one person?",
    usage: '--case <name|id> [--cut X] [--truth truth.json]',
    load: series,
  },
  {
    name: 'report',
    summary: "Write the PDF report of a case's newest verification",
    usage: '--case <name|id> --out <file.pdf> [--laboratory NAME] [--generated-at ISO-TIME]',
    load: report,
  },
  {
    name: 'identify',
    summary: 'Who among the enrolled writers could have written this? Rank every writer of the library (or a case) for a questioned signature',
    usage: '<image-file|signature-id> [--case C | --library] [--top K] [--model M] [--threshold T] [--exact] [--json]',
    load: identify,
  },
  {
    name: 'library enrol',
    summary: "Enrol a writer into the institution's reference library from image files, or from a case's subject",
    usage: '<name> <folder-or-files...> [--notes N] [--model M] | <name> --case C --subject S | --writers FOLDER | --case C',
    load: library,
  },
  {
    name: 'library list',
    summary: 'Writers of the reference library with their exemplars (and embeddings for a model)',
    usage: '[--all] [--model M]',
    load: library,
  },
  {
    name: 'library remove',
    summary: 'Withdraw a writer from the library: no longer ranked; its documents stay as evidence; audit-logged',
    usage: '<name|#id> --reason "..."',
    load: library,
  },
  {
    name: 'library draw',
    summary: "Make a library writer a known writer of a case (its exemplars become the case's known signatures)",
    usage: '<name|#id> --case C [--as NAME]',
    load: library,
  },
  {
    name: 'prepare',
    summary: 'Write the exact network inputs of a labelled data set as PNGs, with a manifest and an ink check',
    usage: '--data <folder|manifest.csv> --out <dir> [--normalise 1|2]',
    load: prepare,
  },
  {
    name: 'train',
    summary: 'Fine-tune a model (or train one from scratch) on labelled signatures; the result is a new model version',
    usage:
      '--data <folder|manifest.csv>[@weight] [--data ...] [--base M | --arch A] [--loss contrastive|triplet] [--objective verification|writers] [--train-from LAYER [--cache-variants V]] [--epochs N] [--patience N] [--batch B] [--lr X] [--margin X] [--optimizer rmsprop|adam] [--pairs P] [--augment none|light|scan] [--seed S] [--split-seed S] [--dropout D] [--l2 S] [--name NAME] [--resume RUN]',
    load: train,
  },
  {
    name: 'eval',
    summary: 'Evaluate a model on labelled data with the writer-dependent protocol (EER, AUC, FAR/FRR, Cllr)',
    usage: `--data <folder|manifest.csv> [--model M | --baseline pixels] [--references K] [--seed S]\n       countersign eval --identify --data <folder|manifest.csv> [--model M] [--shots N] [--ways C] [--episodes E] [--held-out F] [--threshold T] [--seed S]`,
    load: evalCommands,
  },
  {
    name: 'models list',
    summary: 'Registered models with their metrics, lineage and which one is active',
    load: models,
  },
  {
    name: 'models show',
    summary: "One model's metadata (architecture, preprocessing, training data, metrics, calibration, SHA-256)",
    usage: '<model-id>',
    load: models,
  },
  {
    name: 'models use',
    summary: 'Make a model the active one (the default for new cases); audit-logged',
    usage: '<model-id>',
    load: models,
  },
  {
    name: 'models export',
    summary: 'Write a model (weights + metadata) to one file for another installation',
    usage: '<model-id> <file>',
    load: models,
  },
  {
    name: 'models import',
    summary:
      'Register a model from an exported file, all or nothing: weights verified against the metadata and the architecture; an existing id, or name and version, is refused',
    usage: '<file>',
    load: models,
  },
  {
    name: 'models metric',
    summary: 'Derive a model version that compares embeddings with another distance (euclidean or cosine), calibrated on labelled data',
    usage: '<model-id> <euclidean|cosine> --data <folder|manifest.csv> [--name N] [--id ID] [--references K] [--seed S]',
    load: models,
  },
  {
    name: 'models views',
    summary:
      'Derive a model version that embeds each signature as the mean over small shifts of its input (grid9: a 3 x 3 grid; none: once), calibrated on labelled data',
    usage: '<model-id> <grid9|none> --data <folder|manifest.csv> [--name N] [--id ID] [--references K] [--seed S]',
    load: models,
  },
  {
    name: 'models average',
    summary: 'Derive a model version whose weights are the mean of several models fine-tuned from one start (a model soup), calibrated on labelled data',
    usage: '<model-id> <other-id> [<other-id> ...] --data <folder|manifest.csv> [--views grid9|none] [--name N] [--id ID] [--references K] [--seed S]',
    load: models,
  },
  {
    name: 'synth dataset',
    summary: 'Write a labelled synthetic signature dataset (genuine + skilled forgeries) with manifest.csv',
    usage: '<out> --writers N --genuine G --forged F [--seed S] [--dpi D] [--format png|jpeg|tiff] [--grey] [--force]',
    load: synth,
  },
  {
    name: 'synth case',
    summary: 'Write a synthetic case folder (known exemplars, questioned cheques) with truth.json',
    usage: '<out> --subjects N --known K --questioned Q [--series F] [--seed S] [--force]',
    load: synth,
  },
  {
    name: 'synth preview',
    summary: "Write a contact sheet: one writer's genuine signatures, skilled forgeries and two cheques",
    usage: '<out.png> [--seed S] [--writer ID]',
    load: synth,
  },
  {
    name: 'audit verify',
    summary: 'Verify the audit log, its signatures, every recorded result and every stored object; exits 1 on any mismatch',
    usage: '[--case C] [--expect-head SEQ:HASH] [--no-objects] [--json]',
    load: audit,
  },
  {
    name: 'audit show',
    summary: 'Show audit log rows (of one case with --case)',
    usage: '[--case C] [--limit N]',
    load: audit,
  },
  {
    name: 'backup',
    summary: 'Write a consistent backup of the data directory (database + objects) into one .tar file',
    usage: '<file>',
    load: backup,
  },
  {
    name: 'restore',
    summary: 'Restore a backup into a new or empty data directory (--data-dir), verifying every object and the audit chain',
    usage: '<file> --data-dir D',
    load: backup,
  },
  {
    name: 'serve',
    summary: 'Serve the UI and the whole contract to a browser on this machine (127.0.0.1 only, token in the URL)',
    usage: '[--port P] [--host 127.0.0.1] [--open]',
    load: serve,
  },
  {
    name: 'bench',
    summary:
      'Embeddings per second and training pairs per second of SigNet on the active engines, beside the PyTorch reference in interleaved rounds; the embedding engines side by side (--inference); writer search at N embeddings (--identify N)',
    usage:
      '[--rounds 3] [--arch signet] [--seconds 8] [--workers N] [--reference torch_signet_reference.py | --no-reference] [--memory]\n       countersign bench --inference [--rounds 3] [--arch signet] [--seconds 8] [--reference ... | --no-reference]\n       countersign bench --identify N [--queries 200] [--exact-queries 50] [--library spectrum|clustered] [--engines hnsw,sqlite-vec] [--dir D]',
    load: bench,
  },
];
