import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bool, num, str, UsageError, type CommandImpl, type ParsedArgs } from '../command.ts';

function outArg(args: ParsedArgs, what: string): string {
  const out = args.positionals[0];
  if (!out) throw new UsageError(`missing ${what}`);
  if (args.positionals.length > 1) throw new UsageError(`unexpected argument '${args.positionals[1]}'`);
  return path.resolve(out);
}

const seedOf = (args: ParsedArgs): string => str(args, 'seed') ?? '1';

export const commands: CommandImpl[] = [
  {
    name: 'synth dataset',
    needsApp: false,
    description: `Each writer gets G genuine signatures and F skilled forgeries under <out>/<writer>/{genuine,forged}/,
listed in <out>/manifest.csv as path,writer,label (label genuine|forged, paths relative to the
manifest). Random forgeries are other writers' genuine signatures. The same seed writes the same bytes.
Example: countersign synth dataset data/synth --writers 50 --genuine 12 --forged 12 --seed 7`,
    options: {
      writers: { type: 'string' },
      genuine: { type: 'string' },
      forged: { type: 'string' },
      seed: { type: 'string' },
      dpi: { type: 'string' },
      format: { type: 'string' },
      grey: { type: 'boolean' },
      force: { type: 'boolean' },
    },
    async run(ctx, args) {
      const out = outArg(args, '<out> folder');
      const format = str(args, 'format') ?? 'png';
      if (!['png', 'jpeg', 'tiff'].includes(format)) throw new UsageError(`--format: expected png, jpeg or tiff, got '${format}'`);
      const { generateDataset } = await import('../../core/synth/index.ts');
      const started = performance.now();
      const r = await generateDataset(
        out,
        {
          writers: num(args, 'writers', { min: 1, max: 100000, integer: true, default: 10 }) as number,
          genuine: num(args, 'genuine', { min: 1, max: 1000, integer: true, default: 10 }) as number,
          forged: num(args, 'forged', { min: 0, max: 1000, integer: true, default: 10 }) as number,
          seed: seedOf(args),
          dpi: num(args, 'dpi', { min: 72, max: 1200, integer: true, default: 200 }),
          format: format as 'png',
          grey: bool(args, 'grey'),
          overwrite: bool(args, 'force'),
        },
        { onProgress: (d, t, l) => ctx.progress(d, t, l), signal: ctx.signal },
      );
      const seconds = (performance.now() - started) / 1000;
      if (ctx.json) return ctx.emit({ ok: true, ...r, seconds });
      ctx.out(`${r.images} images (${r.genuine} genuine, ${r.forged} forged) from ${r.writers} writers in ${seconds.toFixed(1)} s`);
      ctx.out(`manifest: ${r.manifest}`);
    },
  },
  {
    name: 'synth case',
    needsApp: false,
    description: `Writes <out>/known/<subject>/ (K genuine exemplars per subject: signature scans, and for
some subjects a whole genuine cheque) and <out>/questioned/<subject>/ (Q cheque scans per subject
claiming to be signed by it: about half genuine, half skilled forgeries; PNG, JPEG and TIFF), plus
<out>/truth.json keyed by questioned path: { subject, genuine, hand, box: [x, y, width, height] }
(hand: who signed: the subject, or the forger).
--series F: a series case: F forgers, forger f forging subject f (round robin) at least three
times each, with one consistent hand and way of copying; the other questioned cheques are genuine.
The true grouping by hand is in truth.json (for \`countersign series --truth\`).
Example: countersign synth case cases/demo --subjects 3 --known 6 --questioned 4`,
    options: {
      subjects: { type: 'string' },
      known: { type: 'string' },
      questioned: { type: 'string' },
      series: { type: 'string' },
      seed: { type: 'string' },
      force: { type: 'boolean' },
    },
    async run(ctx, args) {
      const out = outArg(args, '<out> folder');
      const { generateCase } = await import('../../core/synth/index.ts');
      const started = performance.now();
      const r = await generateCase(
        out,
        {
          subjects: num(args, 'subjects', { min: 1, max: 500, integer: true, default: 3 }) as number,
          known: num(args, 'known', { min: 1, max: 200, integer: true, default: 6 }) as number,
          questioned: num(args, 'questioned', { min: 1, max: 200, integer: true, default: 4 }) as number,
          series: num(args, 'series', { min: 1, max: 50, integer: true, default: 0 }) as number,
          seed: seedOf(args),
          overwrite: bool(args, 'force'),
        },
        { onProgress: (d, t, l) => ctx.progress(d, t, l), signal: ctx.signal },
      );
      const seconds = (performance.now() - started) / 1000;
      if (ctx.json) return ctx.emit({ ok: true, ...r, seconds });
      ctx.out(
        `${r.subjects.length} subjects: ${r.known} known, ${r.questioned} questioned (${r.genuine} genuine, ${r.forged} forged) in ${seconds.toFixed(1)} s`,
      );
      for (const s of r.subjects) ctx.out(`  ${s.id.padEnd(18)} ${s.name.padEnd(18)} known ${s.known.length}  questioned ${s.questioned.length}`);
      ctx.out(`truth: ${r.truth}`);
    },
  },
  {
    name: 'synth preview',
    needsApp: false,
    options: { seed: { type: 'string' }, writer: { type: 'string' } },
    async run(ctx, args) {
      const out = outArg(args, '<out.png> file');
      const { renderPreview } = await import('../../core/synth/index.ts');
      const r = await renderPreview({ seed: seedOf(args), writer: str(args, 'writer') });
      await mkdir(path.dirname(out), { recursive: true });
      await writeFile(out, r.png);
      if (ctx.json) return ctx.emit({ ok: true, file: out, width: r.width, height: r.height, writer: r.writer });
      ctx.out(`${out} (${r.width} x ${r.height}, writer ${r.writer})`);
    },
  },
];
