import { UsageError, type CommandImpl, type ParsedArgs } from '../command.ts';

function fileArg(args: ParsedArgs): string {
  if (args.positionals.length !== 1) throw new UsageError(`expected one <file>, got ${args.positionals.length}`);
  return args.positionals[0] as string;
}

function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

export const commands: CommandImpl[] = [
  {
    name: 'backup',
    description: `Safe while the desktop app is running. The file is a plain tar (manifest.json, countersign.db,
objects/...); an existing file is never replaced. Restore with: countersign restore <file> --data-dir <new dir>`,
    async run(ctx, args) {
      const file = fileArg(args);
      const { backupStore } = await import('../../core/store/index.ts');
      const r = await backupStore(ctx.app().store, file);
      if (ctx.json) return ctx.emit(r);
      ctx.out(`Backup written: ${r.file} (${mib(r.size)}, sha256 ${r.sha256})`);
      ctx.out(`  schema ${r.manifest.schemaVersion}, ${r.manifest.objects.count} objects, audit head #${r.manifest.audit.head?.seq ?? 0}`);
      if (!r.manifest.audit.verified) ctx.out('  WARNING: the audit chain was already broken; run `countersign audit verify`');
    },
  },
  {
    name: 'restore',
    async run(ctx, args) {
      const file = fileArg(args);
      const { restoreBackup } = await import('../../core/store/index.ts');
      // Never ctx.app(): opening the store would create the target directory's contents.
      const r = await restoreBackup(file, ctx.dataDir);
      if (ctx.json) return ctx.emit(r);
      ctx.out(`Restored ${file} into ${r.dataDir}`);
      ctx.out(
        `  schema ${r.manifest.schemaVersion}, ${r.objects} objects verified, audit chain ${r.auditVerified ? 'verified' : 'BROKEN (as it was when backed up)'}: ${r.auditRows} rows`,
      );
      for (const k of r.signedBy)
        ctx.out(`  signed by installation key ${k.fingerprint} (compare it with the one \`countersign doctor\` shows where the backup was made)`);
      return r.auditVerified ? 0 : 1;
    },
  },
];
