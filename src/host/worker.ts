/** Entry point of the inference host when it runs on a worker thread. */
import { parentPort } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { serve } from './serve';

if (!parentPort) throw new Error('host/worker.js must run in a worker thread');
const port = parentPort;
const transport = {
  post: (m: Parameters<typeof port.postMessage>[0]) => port.postMessage(m),
  onMessage: (h: (m: unknown) => void) => port.on('message', h),
  close: () => port.close(),
};
// A worker that dies while onnxruntime is mid-run aborts the whole process (the editor with it),
// so a stray exception is reported and the host carries on.
const report = (e: unknown) => port.postMessage({ kind: 'log', level: 'error', message: `host: uncaught ${String((e as Error)?.stack ?? e)}` });
process.on('uncaughtException', report);
process.on('unhandledRejection', report);
serve(transport, ort.env.versions.common);
