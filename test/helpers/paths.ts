/** Where the repository is, wherever the bundled test file runs from (dist/test/...). */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

function findRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'server'))) return dir;
    dir = dirname(dir);
  }
  throw new Error(`cannot find the repository root above ${__dirname}`);
}

export const repoRoot = findRoot();
