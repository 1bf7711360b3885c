import { existsSync } from 'node:fs';
import path from 'node:path';
import { benchEmbedMemory, formatModelBench, runModelBench } from '../../../bench/model.ts';
import { bool, num, str, type Command } from '../command.ts';

/** The PyTorch reference script shipped beside the project (../shared/bench), when present. */
function defaultReference(): string | undefined {
  const p = path.resolve(process.cwd(), '../shared/bench/torch_signet_reference.py');
  return existsSync(p) ? p : undefined;
}

export const commands: Command[] = [
  {
    name: 'bench',
    summary: 'Embeddings per second and training pairs per second of SigNet on the active backend',
    usage: '[--arch signet] [--seconds 8] [--workers N] [--reference torch_signet_reference.py | --no-reference] [--memory]',
    description: `Random 155 x 220 inputs, batch 32, random weights; warm-up excluded. Embedding with one
worker and a pool of one worker per core; training with one replica and data-parallel
replicas. --reference runs the PyTorch reference (same network, same machine; Debian's
/usr/bin/python3 with python3-torch) first and reports the ratios; by default
../shared/bench/torch_signet_reference.py is used when it exists. --memory also reports
the peak memory of embedding 1,000 signatures through the product's worker pool.`,
    options: {
      arch: { type: 'string' },
      seconds: { type: 'string' },
      workers: { type: 'string' },
      reference: { type: 'string' },
      'no-reference': { type: 'boolean' },
      memory: { type: 'boolean' },
    },
    async run(ctx, args) {
      const reference = bool(args, 'no-reference') ? undefined : (str(args, 'reference') ?? defaultReference());
      const workers = num(args, 'workers', { min: 1, max: 64, integer: true });
      const r = await runModelBench({
        ...(str(args, 'arch') ? { architecture: str(args, 'arch') } : {}),
        seconds: num(args, 'seconds', { min: 1, max: 600, default: 8 })!,
        ...(workers ? { workers } : {}),
        ...(reference ? { referenceScript: reference } : {}),
        onProgress: ctx.json ? undefined : (line) => ctx.out(line),
      });
      const memory = bool(args, 'memory') ? await benchEmbedMemory({ ...(str(args, 'arch') ? { architecture: str(args, 'arch') } : {}) }) : null;
      if (ctx.json) return ctx.emit({ ...r, memory });
      for (const l of formatModelBench(r)) ctx.out(l);
      if (memory) ctx.out(`embedding ${memory.images} signatures (${memory.workers} workers, ${memory.seconds.toFixed(1)} s): peak RSS ${memory.rssPeakMb.toFixed(0)} MB (${memory.rssBeforeMb.toFixed(0)} MB before)`);
    },
  },
];
