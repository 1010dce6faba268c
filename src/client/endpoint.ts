/** The transport under HostClient: a worker thread (default) or a child process (isolation mode). */
import { fork } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import type { ClientMessage, HostMessage } from '../protocol/types';

export interface HostEndpoint {
  readonly kind: 'worker' | 'process';
  post(message: ClientMessage): void;
  onMessage(handler: (message: HostMessage) => void): void;
  /** Called once when the host ends, however it ends. */
  onExit(handler: (code: number | null, error?: Error) => void): void;
  /**
   * Ends the host now. For a worker this is a last resort: a worker ended while onnxruntime is
   * inside a run aborts the whole process, so callers shut it down gracefully first.
   */
  terminate(): Promise<void>;
  /** Lets the caller's process exit while this host still runs (a worker finishing a step). */
  unref(): void;
}

export function workerEndpoint(workerPath: string): HostEndpoint {
  const worker = new Worker(workerPath, { stdout: false, stderr: false });
  let lastError: Error | undefined;
  let exited = false;
  worker.on('error', (e) => (lastError = e));
  worker.once('exit', () => (exited = true));
  return {
    kind: 'worker',
    post: (m) => worker.postMessage(m),
    onMessage: (h) => worker.on('message', h),
    onExit: (h) => worker.once('exit', (code) => h(code, lastError)),
    terminate: async () => {
      if (!exited) await worker.terminate();
    },
    unref: () => worker.unref(),
  };
}

export function processEndpoint(scriptPath: string): HostEndpoint {
  const child = fork(scriptPath, [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  let exited = false;
  const exitedPromise = new Promise<void>((r) => child.once('exit', () => r()));
  child.once('exit', () => (exited = true));
  return {
    kind: 'process',
    post: (m) => {
      if (child.connected) child.send(m);
    },
    onMessage: (h) => child.on('message', (m) => h(m as HostMessage)),
    onExit: (h) =>
      child.once('exit', (code, signal) => h(code ?? null, signal || stderr ? new Error([signal && `killed by ${signal}`, stderr.trim().split('\n').at(-1)].filter(Boolean).join('; ')) : undefined)),
    terminate: async () => {
      if (exited) return;
      child.kill('SIGKILL');
      await exitedPromise;
    },
    unref: () => {
      child.unref();
      child.channel?.unref();
    },
  };
}
