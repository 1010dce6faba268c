/**
 * A provider the user asked for but did not get is said, not hidden: the engine falls back
 * quietly (so the extension keeps working), and on a terminal the user should know why it is slow.
 */
import * as path from 'node:path';
import type { LoadParams } from '../protocol/types';
import type { HostContext } from './context';

/**
 * When the user asked for a provider and the model runs on another, one line saying why (the
 * engine records the reason when it falls back).
 */
export async function noteFallback({ client, io }: HostContext, load: LoadParams): Promise<void> {
  if (!load.ep || load.ep === 'auto' || load.ep === 'cpu') return;
  const s = await client.request('status', {});
  const m = s.models.find((x) => path.resolve(x.modelPath) === path.resolve(load.modelPath));
  if (!m || m.ep === load.ep) return;
  const reason = m.fallbacks.find((f) => f.startsWith(`${load.ep}:`)) ?? `${load.ep}: not available`;
  io.err(`onnx-assist: ${reason}; running on ${m.ep}\n`);
}

