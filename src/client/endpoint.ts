/** The transport under HostClient: a worker thread today, a child process for isolation later. */
import { Worker } from 'node:worker_threads';
import type { ClientMessage, HostMessage } from '../protocol/types';

export interface HostEndpoint {
  post(message: ClientMessage): void;
  onMessage(handler: (message: HostMessage) => void): void;
  /** Called once when the host ends, however it ends. */
  onExit(handler: (code: number | null, error?: Error) => void): void;
  terminate(): Promise<void>;
}

export function workerEndpoint(workerPath: string, resourceLimits?: { maxOldGenerationSizeMb?: number }): HostEndpoint {
  const worker = new Worker(workerPath, { resourceLimits, stdout: false, stderr: false });
  let lastError: Error | undefined;
  worker.on('error', (e) => (lastError = e));
  return {
    post: (m) => worker.postMessage(m),
    onMessage: (h) => worker.on('message', h),
    onExit: (h) => worker.once('exit', (code) => h(code, lastError)),
    terminate: async () => {
      await worker.terminate();
    },
  };
}
