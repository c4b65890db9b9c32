/**
 * Worker-thread entry (dist/worker.js): parses a batch of Python files into facts, so that cold
 * indexing of a large workspace uses every core. Facts are plain data and cross the thread
 * boundary by structured clone; trees never leave the worker.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadPython } from './core/python/parser';
import { type FileFacts, parseFile } from './core/workspace';

interface Job {
  files: string[];
  maxBytes: number;
}

async function run(): Promise<void> {
  const { files, maxBytes } = workerData as Job;
  const language = await loadPython();
  const batch: [string, FileFacts][] = [];
  for (const f of files) {
    batch.push([f, parseFile(f, maxBytes, language)]);
    if (batch.length >= 50) {
      parentPort!.postMessage({ kind: 'batch', results: batch.splice(0) });
    }
  }
  parentPort!.postMessage({ kind: 'batch', results: batch });
  parentPort!.postMessage({ kind: 'done' });
}

run().catch((e) => parentPort!.postMessage({ kind: 'error', message: String((e as Error)?.stack ?? e) }));
