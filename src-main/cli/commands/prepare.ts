import type { NormaliseVersion } from '../../core/imaging/normalise.ts';
import { num, str, UsageError, type CommandImpl } from '../command.ts';

export const commands: CommandImpl[] = [
  {
    name: 'prepare',
    needsApp: false,
    description: `Normalises every image of the labelled data as training, evaluation and case imports do,
and writes each network input as an 8-bit PNG (0 = background, 255 = full ink) under --out, with
manifest.csv (path,writer,label), so anyone can look at what the network sees.
It also reports whether the pen survives: the mean ink value of genuine and of forged signatures,
and the EER of that one number as a classifier (0.5 = it tells nothing).
--normalise 2 (default): ink-invariant; 1: the ink's grey level kept (models from before).`,
    options: { data: { type: 'string' }, out: { type: 'string' }, normalise: { type: 'string' } },
    async run(ctx, args) {
      const data = str(args, 'data');
      if (!data) throw new UsageError('--data: required (a folder with manifest.csv, a manifest file, or <root>/<writer>/{genuine,forged}/*)');
      const out = str(args, 'out');
      if (!out) throw new UsageError('--out: required (the folder to write the PNGs and manifest.csv to)');
      const { NORMALISE_VERSIONS } = await import('../../core/imaging/normalise.ts');
      const { prepareDataset } = await import('../../core/model/prepare.ts');
      const version = num(args, 'normalise', { integer: true, min: 1, max: 2 }) as NormaliseVersion | undefined;
      if (version !== undefined && !NORMALISE_VERSIONS.includes(version)) throw new UsageError(`--normalise: expected 1 or 2`);
      const r = await prepareDataset({
        data,
        out,
        ...(version ? { version } : {}),
        signal: ctx.signal,
        onProgress: (d, t) => ctx.progress(d, t, 'normalising'),
      });
      if (ctx.json) return ctx.emit(r);
      ctx.out(`${r.data.images} network inputs (normalisation v${r.normaliseVersion}, ${r.canvas[1]} x ${r.canvas[0]}) in ${r.out}; manifest ${r.manifest}`);
      if (r.inkCheck) {
        ctx.out(
          `ink check: mean ink value ${r.inkCheck.genuineMean.toFixed(1)} genuine, ${r.inkCheck.forgedMean.toFixed(1)} forged; as a one-number classifier EER ${(r.inkCheck.eer * 100).toFixed(1)}% (50% = tells nothing)`,
        );
      } else ctx.out('ink check: needs both genuine and forged signatures');
    },
  },
];
