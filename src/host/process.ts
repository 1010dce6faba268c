/**
 * Entry point of the inference host in its own process (isolation mode): the same message loop
 * over child-process IPC. A native crash here cannot take the editor down, and the host can be
 * killed mid-run, which a worker thread cannot survive.
 */
import * as ort from 'onnxruntime-node';
import { serve } from './serve';

if (!process.send) throw new Error('host/process.js must be started with an IPC channel (child_process.fork)');
const send = process.send.bind(process);
serve(
  {
    post: (m) => send(m),
    onMessage: (h) => process.on('message', h),
    close: () => process.disconnect(),
  },
  ort.env.versions.common,
);
// The parent going away ends this host.
process.on('disconnect', () => process.exit(0));
// Ctrl+C in a terminal reaches the whole process group; the parent decides (cancel, then stop or kill).
process.on('SIGINT', () => undefined);
