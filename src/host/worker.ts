/** Entry point of the inference host when it runs on a worker thread. */
import { parentPort } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { serve } from './serve';

if (!parentPort) throw new Error('host/worker.js must run in a worker thread');
const port = parentPort;
serve(
  {
    post: (m) => port.postMessage(m),
    onMessage: (h) => port.on('message', h),
    close: () => port.close(),
  },
  ort.env.versions.common,
);
