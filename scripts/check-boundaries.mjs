// Lint for what ESLint does not parse here: Svelte components must not import Node
// modules (the renderer is sandboxed and also runs in a plain browser).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'src-renderer', 'src');
const banned = /from\s+['"](node:[^'"]+|fs|path|os|child_process|crypto|electron|better-sqlite3|sharp|@tensorflow\/[^'"]+)['"]/;
let bad = 0;
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) walk(full);
    else if (name.endsWith('.svelte')) {
      readFileSync(full, 'utf8').split('\n').forEach((line, i) => {
        const m = banned.exec(line);
        // type-only imports of the contract's types are fine; runtime Node imports are not
        if (m && !/^\s*import\s+type\b/.test(line)) {
          console.error(`${path.relative(process.cwd(), full)}:${i + 1}: the renderer must not import '${m[1]}'`);
          bad++;
        }
      });
    }
  }
};
walk(root);
process.exit(bad ? 1 : 0);
