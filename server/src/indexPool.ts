/**
 * Parallel cold indexing: splits the files into one batch per core and parses them in worker
 * threads (indexWorker.ts, bundled as dist/worker.js). If the worker bundle is not found (running
 * from a test bundle) or a worker fails, the caller falls back to parsing on its own thread.
 */
import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FileFacts } from './core/workspace';

function workerScript(): string | undefined {
  let dir = __dirname;
  for (let i = 0; i < 4; i++) {
    const p = join(dir, 'worker.js');
    if (existsSync(p)) return p;
    dir = dirname(dir);
  }
  return undefined;
}

export async function parallelParse(files: string[], maxBytes: number, onDone: (n: number) => void, threads = availableParallelism()): Promise<Map<string, FileFacts>> {
  const script = workerScript();
  const n = Math.min(threads, 8, Math.ceil(files.length / 100));
  if (!script || n < 1) throw new Error('parallel parsing unavailable');
  // Balance by size: largest files first, each to the lightest batch.
  const sized = files.map((f) => {
    let size = 0;
    try {
      size = statSync(f).size;
    } catch {
      // unreadable: the worker reports it
    }
    return { f, size };
  });
  sized.sort((a, b) => b.size - a.size);
  const batches: { files: string[]; bytes: number }[] = Array.from({ length: n }, () => ({ files: [], bytes: 0 }));
  for (const s of sized) {
    const lightest = batches.reduce((a, b) => (b.bytes < a.bytes ? b : a));
    lightest.files.push(s.f);
    lightest.bytes += s.size + 2000;
  }
  const results = new Map<string, FileFacts>();
  await Promise.all(
    batches.map(
      (b) =>
        new Promise<void>((resolve, reject) => {
          const w = new Worker(script, { workerData: { files: b.files, maxBytes } });
          w.on('message', (m: { kind: string; results?: [string, FileFacts][]; message?: string }) => {
            if (m.kind === 'batch') {
              for (const [f, r] of m.results!) results.set(f, r);
              onDone(m.results!.length);
            } else if (m.kind === 'done') {
              void w.terminate();
              resolve();
            } else if (m.kind === 'error') {
              void w.terminate();
              reject(new Error(m.message));
            }
          });
          w.on('error', reject);
        }),
    ),
  );
  return results;
}
