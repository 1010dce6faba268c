/**
 * The extension's (and CLI's) handle on the inference host: starts one long-lived host on first
 * use, sends typed requests, streams events, cancels, and restarts the host after it dies.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HostError } from '../protocol/errors';
import type { HostEvent, HostMessage, Method, ParamsOf, ResultOf } from '../protocol/types';
import { processEndpoint, workerEndpoint, type HostEndpoint } from './endpoint';

export type HostState = 'stopped' | 'starting' | 'ready' | 'crashed';

export interface RequestOptions {
  signal?: AbortSignal;
  onEvent?: (event: HostEvent) => void;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: HostError): void;
  onEvent?: (event: HostEvent) => void;
}

export interface HostClientOptions {
  /** Path of the bundled host/worker.js; found next to this file by default. */
  workerPath?: string;
  /**
   * 'worker' (default): a worker thread, cheapest. 'process': a child process, so a native crash
   * cannot take the caller down and a stuck run can be killed.
   */
  isolation?: 'worker' | 'process';
  /** Creates the transport; overrides workerPath and isolation. */
  spawn?: () => HostEndpoint;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

/** host/worker.js next to the bundle (dist/) or next to compiled sources (out/src/). */
export function defaultWorkerPath(dir = __dirname): string {
  const candidates = [path.join(dir, 'host', 'worker.js'), path.join(dir, '..', 'host', 'worker.js')];
  return candidates.find((c) => fs.existsSync(c)) ?? candidates[0];
}

export class HostClient {
  private endpoint: HostEndpoint | undefined;
  private ready: Promise<HostEndpoint> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stateValue: HostState = 'stopped';
  private readonly listeners = new Set<(s: HostState) => void>();
  private disposed = false;
  /** Set while the client itself stops the host, so the exit is not reported as a crash. */
  private stopping = false;

  constructor(private readonly options: HostClientOptions = {}) {}

  get state(): HostState {
    return this.stateValue;
  }

  onStateChange(listener: (s: HostState) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private setState(s: HostState): void {
    this.stateValue = s;
    for (const l of this.listeners) l(s);
  }

  private log(level: 'info' | 'warn' | 'error', message: string): void {
    this.options.log?.(level, message);
  }

  private start(): Promise<HostEndpoint> {
    if (this.ready) return this.ready;
    this.setState('starting');
    const workerPath = this.options.workerPath ?? defaultWorkerPath();
    const spawn =
      this.options.spawn ??
      (() => (this.options.isolation === 'process' ? processEndpoint(path.join(path.dirname(workerPath), 'process.js')) : workerEndpoint(workerPath)));
    this.ready = new Promise<HostEndpoint>((resolve, reject) => {
      let ep: HostEndpoint;
      try {
        ep = spawn();
      } catch (e) {
        this.ready = undefined;
        this.setState('crashed');
        reject(new HostError('HOST_DIED', `The inference host could not start: ${(e as Error).message}`));
        return;
      }
      this.endpoint = ep;
      let isReady = false;
      ep.onMessage((m: HostMessage) => {
        if (m.kind === 'ready') {
          isReady = true;
          this.setState('ready');
          this.log('info', `inference host ready (onnxruntime ${m.ortVersion})`);
          resolve(ep);
        } else this.dispatch(m);
      });
      ep.onExit((code, error) => {
        const expected = this.stopping;
        if (this.endpoint === ep) {
          this.endpoint = undefined;
          this.ready = undefined;
        }
        const why = error ? `: ${error.message}` : '';
        const err = expected
          ? new HostError('HOST_SHUTDOWN', 'The inference host was stopped.')
          : new HostError('HOST_DIED', `The inference host stopped unexpectedly (exit code ${code ?? 'unknown'}${why}). It restarts on the next request.`);
        if (!isReady) reject(err);
        this.failAll(err);
        this.setState(expected ? 'stopped' : 'crashed');
        if (!expected) this.log('error', err.message);
      });
    });
    return this.ready;
  }

  private dispatch(m: HostMessage): void {
    if (m.kind === 'log') {
      this.log(m.level, m.message);
      return;
    }
    if (m.kind === 'ready') return;
    const p = this.pending.get(m.id);
    if (!p) {
      if (m.kind === 'error' && m.id < 0) this.log('warn', `host rejected a message: ${m.error.message}`);
      return;
    }
    if (m.kind === 'event') p.onEvent?.(m.event);
    else if (m.kind === 'response') {
      this.pending.delete(m.id);
      p.resolve(m.result);
    } else {
      this.pending.delete(m.id);
      p.reject(HostError.fromWire(m.error));
    }
  }

  private failAll(e: HostError): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(e);
  }

  /** Sends a request; settles with the host's result, or its error, or HOST_DIED if the host ends first. */
  async request<M extends Method>(method: M, params: ParamsOf<M>, options: RequestOptions = {}): Promise<ResultOf<M>> {
    if (this.disposed) throw new HostError('HOST_SHUTDOWN', 'The inference host has been shut down.');
    const { signal } = options;
    if (signal?.aborted) throw new HostError('CANCELLED', 'Cancelled before it started.');
    const ep = await this.start();
    const id = this.nextId++;
    return new Promise<ResultOf<M>>((resolve, reject) => {
      const onAbort = () => ep.post({ kind: 'cancel', id });
      this.pending.set(id, {
        resolve: (v) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(v as ResultOf<M>);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
        onEvent: options.onEvent,
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      ep.post({ kind: 'request', id, method, params });
      if (signal?.aborted) onAbort();
    });
  }

  /**
   * Stops the host: in-flight requests are cancelled, models released, then the host exits.
   * Pending requests fail with HOST_SHUTDOWN; the next request starts a fresh host.
   */
  async restart(timeoutMs = 5000): Promise<void> {
    await this.stop(timeoutMs);
  }

  /** Like restart(), and no request is accepted afterwards. */
  async dispose(timeoutMs = 5000): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.stop(timeoutMs);
    this.listeners.clear();
  }

  private async stop(timeoutMs: number): Promise<void> {
    const ep = this.endpoint;
    if (!ep) return;
    this.stopping = true;
    try {
      const exited = new Promise<void>((r) => ep.onExit(() => r()));
      if (this.stateValue === 'ready') {
        // Cancel first so the decode loops stop between steps; then shutdown releases the sessions.
        for (const id of this.pending.keys()) ep.post({ kind: 'cancel', id });
        ep.post({ kind: 'request', id: this.nextId++, method: 'shutdown', params: {} });
      }
      let timer: NodeJS.Timeout | undefined;
      const late = await Promise.race([exited.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), timeoutMs)))]);
      clearTimeout(timer);
      if (late) {
        this.log('warn', `inference host did not stop within ${timeoutMs} ms; ending it`);
        await ep.terminate();
      }
    } finally {
      this.stopping = false;
    }
  }
}
