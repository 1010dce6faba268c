/** `embed`: one vector per text, one line each (or --json), for piping into other tools. */
import { loadFlags, UsageError } from '../args';
import type { HostContext } from '../context';
import { noteFallback } from '../fallback';
import { textsOf } from '../input';

export async function embed(ctx: HostContext): Promise<void> {
  const { client, v, io, json, signal } = ctx;
  const load = loadFlags(v);
  if (v.text === undefined && v['text-file'] === undefined) throw new UsageError('give --text T or --text-file PATH');
  const texts = await textsOf(ctx, 'embed');
  const r = await client.request('embed', { ...load, texts, normalize: !!v.normalize }, { signal });
  io.out(json ? `${JSON.stringify(r)}\n` : r.vectors.map((x) => x.map((n) => n.toFixed(5)).join(' ')).join('\n') + '\n');
  await noteFallback(ctx, load);
}
