import type { CommandImpl } from '../command.ts';

export const commands: CommandImpl[] = [
  {
    name: 'doctor',
    needsApp: false,
    async run(ctx) {
      const { doctor } = await import('../../core/doctor.ts');
      const r = await doctor(ctx.dataDir);
      if (ctx.json) return ctx.emit(r);
      ctx.out(`Countersign ${r.version}  (Node ${r.node}, ${r.platform}, ${r.cpus} cores)`);
      ctx.out(
        `Electron:   ${r.electron ?? 'not installed'}${r.electronBinary ? '' : ' - binary missing: the desktop window is unavailable; use `countersign serve`'}`,
      );
      ctx.out(`Backend:    ${r.backend}`);
      for (const t of r.backendsTried) ctx.out(`  ${t.ok ? 'used' : t.tried ? 'no  ' : '-   '} ${t.name.padEnd(15)} ${t.reason ?? ''}`);
      ctx.out(`GPU:        ${r.gpu ? 'NVIDIA driver visible' : 'none visible'}`);
      const inf = r.inference;
      ctx.out(
        `Embedding:  ${inf.engine === 'onnxruntime' ? `onnxruntime ${inf.onnxruntime} (CPU execution provider)` : `tfjs (${r.backend})`}; ${inf.error ? 'COUNTERSIGN_INFERENCE cannot be honoured, so embedding fails until it is changed' : `COUNTERSIGN_INFERENCE=${inf.setting}`}; training runs on tfjs`,
      );
      if (inf.error) ctx.out(`  ERROR: ${inf.error}`);
      for (const e of inf.engines)
        ctx.out(
          `  ${e.ok ? (e.name === inf.engine ? 'used' : 'ok  ') : e.tried ? 'no  ' : '-   '} ${e.name.padEnd(15)} ${e.reason ?? (e.name === 'onnxruntime' ? `${e.package} ${inf.onnxruntime} loaded` : `on ${r.backend}`)}`,
        );
      for (const a of inf.architectures.filter((x) => x.engine !== inf.engine)) ctx.out(`  ${a.name} models embed on ${a.engine}: ${a.reason ?? ''}`);
      const w = r.writerSearch;
      ctx.out(
        `Search:     ${w.engine}${w.engine === 'hnsw' ? ` (${w.hnsw.library}): approximate candidates, ranked by exact distances` : w.engine === 'sqlite-vec' ? ` ${w.sqliteVec.version} (exact)` : ' (exact)'}`,
      );
      ctx.out(`  ${w.hnsw.available ? 'used' : 'no  '} hnsw            ${w.hnsw.available ? w.hnsw.library : w.hnsw.reason}`);
      ctx.out(
        `  ${w.engine === 'sqlite-vec' ? 'used' : w.sqliteVec.available ? '-   ' : 'no  '} sqlite-vec      ${w.sqliteVec.available ? `${w.sqliteVec.version}${w.engine === 'hnsw' ? ': the fallback where usearch cannot load' : ''}` : w.sqliteVec.reason}`,
      );
      ctx.out(
        `  ${w.engine === 'exact' ? 'used' : '-   '} exact scan      always available; ${w.engine === 'exact' ? 'no index loads here' : "the last fallback, and a case's writers"}`,
      );
      ctx.out(`Data dir:   ${r.dataDir}`);
      const p = r.permissions;
      ctx.out(
        `Access:     ${!p.entries.length ? 'not created yet (made owner-only, 0700/0600, when first opened)' : p.ownerOnly ? `owner only (${p.entries.map((e) => `${e.path === r.dataDir ? '.' : e.path.slice(r.dataDir.length + 1)} ${e.mode}`).join(', ')})` : 'OTHER USERS CAN READ IT'}`,
      );
      for (const problem of p.problems) ctx.out(`  ${problem}`);
      const k = r.installationKey;
      ctx.out(`Key:        ${k ? `Ed25519 ${k.publicKey}  fingerprint ${k.fingerprint}` : 'none yet (made when the data directory is first opened)'}`);
    },
  },
];
