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

/** How long a retired child-process host may take to finish its step before it is killed. */
const PROCESS_GRACE_MS = 5000;

export class HostClient {
  private endpoint: HostEndpoint | undefined;
  private ready: Promise<HostEndpoint> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stateValue: HostState = 'stopped';
  private readonly listeners = new Set<(s: HostState) => void>();
  private disposed = false;
  /** Hosts that were told to shut down and have not exited yet (a worker finishing its current step). */
  private readonly retiring = new Map<HostEndpoint, Promise<void>>();

  constructor(private readonly options: HostClientOptions = {}) {}

  get state(): HostState {
    return this.stateValue;
  }

  onStateChange(listener: (s: HostState) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private setState(s: HostState): void {
    if (s === this.stateValue) return;
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
        // A retired host's late results are dropped: its requests were already answered.
        if (this.endpoint !== ep) return;
        if (m.kind === 'ready') {
          isReady = true;
          this.setState('ready');
          this.log('info', `inference host ready (onnxruntime ${m.ortVersion})`);
          resolve(ep);
        } else this.dispatch(m);
      });
      ep.onExit((code, error) => {
        if (this.endpoint !== ep) return; // a retired host: retire() handles its exit
        this.endpoint = undefined;
        this.ready = undefined;
        const why = error ? `: ${error.message}` : '';
        const err = new HostError('HOST_DIED', `The inference host stopped unexpectedly (exit code ${code ?? 'unknown'}${why}). It restarts on the next request.`);
        if (!isReady) reject(err);
        this.failAll(err);
        this.setState('crashed');
        this.log('error', err.message);
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

  /** Every pending request belongs to the current host (a retired host's were failed when it was retired). */
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
    if (this.endpoint !== ep) throw new HostError('HOST_SHUTDOWN', 'The inference host was restarted before this request was sent; send it again.');
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
   * Starts a fresh host at once and retires the old one: its requests fail with HOST_SHUTDOWN now,
   * and it exits when its current step returns (a worker is never ended inside onnxruntime's
   * run, which would abort the whole process). Resolves when the new host is ready.
   */
  async restart(): Promise<void> {
    if (this.disposed) throw new HostError('HOST_SHUTDOWN', 'The inference host has been shut down.');
    this.retire(new HostError('HOST_SHUTDOWN', 'The inference host was restarted; this request was dropped.'));
    await this.start();
  }

  /**
   * Shuts the host down; no request is accepted afterwards. Waits up to `timeoutMs` (may be Infinity) for the
   * current step to return; a worker still inside a run after that is left to the process exit
   * (ending it would abort the process), a child process is killed.
   */
  async dispose(timeoutMs = 5000): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.retire(new HostError('HOST_SHUTDOWN', 'The inference host was stopped.'));
    const all = Promise.all(this.retiring.values()).then(() => true);
    let timer: NodeJS.Timeout | undefined;
    // Infinity: wait for the step however long it takes (a CLI, where a second Ctrl+C quits).
    const bound = Number.isFinite(timeoutMs) ? new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs))) : new Promise<boolean>(() => undefined);
    const exited = await Promise.race([all, bound]);
    clearTimeout(timer);
    if (!exited) {
      for (const ep of this.retiring.keys()) {
        if (ep.kind === 'process') await ep.terminate();
        else {
          this.log('warn', `inference host still inside a model run after ${timeoutMs} ms; leaving it to finish with the process`);
          ep.unref();
        }
      }
    }
    this.setState('stopped');
    this.listeners.clear();
  }

  /** Resolves when every retired host has exited. */
  async whenRetired(): Promise<void> {
    await Promise.all(this.retiring.values());
  }

  /** Detaches the current host: fails its requests with `reason`, cancels its work, asks it to shut down. */
  private retire(reason: HostError): void {
    const ep = this.endpoint;
    const ids = [...this.pending.keys()];
    this.endpoint = undefined;
    this.ready = undefined;
    this.failAll(reason);
    if (!ep) {
      this.setState('stopped');
      return;
    }
    const exited = new Promise<void>((r) => ep.onExit(() => r()));
    this.retiring.set(ep, exited);
    void exited.then(() => {
      this.retiring.delete(ep);
      this.log('info', 'the previous inference host has exited');
    });
    // Cancel first so decode loops stop at their next step; shutdown then releases the sessions.
    for (const id of ids) ep.post({ kind: 'cancel', id });
    ep.post({ kind: 'request', id: this.nextId++, method: 'shutdown', params: {} });
    if (ep.kind === 'process') {
      // A child process can be killed safely; one stuck in a long step is not waited for.
      const timer = setTimeout(() => void ep.terminate(), PROCESS_GRACE_MS);
      timer.unref();
      void exited.then(() => clearTimeout(timer));
    }
    this.setState('stopped');
  }
}
