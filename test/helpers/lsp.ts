/**
 * A minimal LSP client for tests: spawns the built server (dist/server.js) over stdio, records
 * every notification and server-to-client request, and lets a test wait for the event it needs
 * (a published diagnostic, a progress end) with a timeout instead of sleeping.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type MessageConnection, StreamMessageReader, StreamMessageWriter, createMessageConnection } from 'vscode-jsonrpc/node';
import { repoRoot } from './paths';

export interface LspEvent {
  method: string;
  params: any;
  /** True for a request the server sent to the client (it was answered with null). */
  request?: boolean;
}

export const serverPath = join(repoRoot, 'dist', 'server.js');

export class LspClient {
  readonly events: LspEvent[] = [];
  readonly connection: MessageConnection;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private stderr = '';
  private waiters: (() => void)[] = [];
  private proc: ChildProcess;

  constructor() {
    if (!existsSync(serverPath)) throw new Error(`${serverPath} is missing: run node scripts/build.mjs`);
    this.proc = spawn(process.execPath, [serverPath, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => resolve({ code, signal })));
    this.proc.stderr!.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    this.connection = createMessageConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
    this.connection.onNotification((method, params) => this.record({ method, params }));
    this.connection.onUnhandledProgress((params) => this.record({ method: '$/progress', params }));
    this.connection.onRequest((method, params) => {
      this.record({ method, params, request: true });
      if (method === 'workspace/configuration') return ((params as { items?: unknown[] })?.items ?? []).map(() => null);
      return null;
    });
    this.connection.onError(() => undefined);
    this.connection.listen();
  }

  private record(e: LspEvent): void {
    this.events.push(e);
    for (const w of this.waiters.splice(0)) w();
  }

  /** Sends initialize + initialized for one workspace folder. */
  async initialize(folder: string, initializationOptions: unknown = {}): Promise<any> {
    const uri = pathToFileURL(folder).href;
    const result = await this.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: uri,
      workspaceFolders: [{ uri, name: 'test' }],
      capabilities: { window: { workDoneProgress: true }, textDocument: { publishDiagnostics: { relatedInformation: true } } },
      initializationOptions,
    });
    await this.connection.sendNotification('initialized', {});
    return result;
  }

  /**
   * The first event at or after index `from` with this method that satisfies `pred`; waits for it
   * up to `timeoutMs`. Returns the event and its index (to wait for a later one next).
   */
  async waitFor(method: string, pred: (params: any) => boolean = () => true, from = 0, timeoutMs = 10000): Promise<{ event: LspEvent; index: number }> {
    const find = () => {
      for (let i = from; i < this.events.length; i++) {
        const e = this.events[i];
        if (e.method === method && pred(e.params)) return { event: e, index: i };
      }
      return undefined;
    };
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = find();
      if (hit) return hit;
      const left = deadline - Date.now();
      if (left <= 0) {
        const seen = this.events.slice(from).map((e) => e.method).join(', ');
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${method}; seen since: ${seen || 'nothing'}\nserver stderr: ${this.stderr.slice(-2000)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** shutdown + exit; resolves with the exit code. */
  async shutdown(timeoutMs = 5000): Promise<number | null> {
    await this.connection.sendRequest('shutdown');
    await this.connection.sendNotification('exit');
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the server did not exit')), timeoutMs).unref());
    const { code } = await Promise.race([this.exited, timeout]);
    return code;
  }

  /** Kills the process if it still runs and drops the connection; safe to call twice. */
  dispose(): void {
    this.connection.dispose();
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill();
  }
}
