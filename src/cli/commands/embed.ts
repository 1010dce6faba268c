/** `embed`: one vector per text, one line each (or --json), for piping into other tools; --backend tei|openai asks a remote engine. */
import { embeddingFlags, loadFlags, UsageError } from '../args';
import { RemoteEmbedder } from '../../core/remote';
import type { HostContext } from '../context';
import { defaultEncoder } from '../defaultModels';
import { noteFallback } from '../fallback';
import { textsOf } from '../input';

export async function embed(ctx: HostContext): Promise<void> {
  const { client, v, io, json, signal } = ctx;
  const remote = embeddingFlags(v);
  if (v.text === undefined && v['text-file'] === undefined) throw new UsageError('give --text T or --text-file PATH');
  if (remote) {
    // Vectors from the engine, batched (TEI and OpenAI both return unit vectors here).
    const vectors = await new RemoteEmbedder(remote).embed(await textsOf(ctx, 'embed'), signal);
    io.out(json ? `${JSON.stringify({ vectors, dim: vectors[0]?.length ?? 0, backend: remote.backend })}\n` : vectors.map((x) => x.map((n) => n.toFixed(5)).join(' ')).join('\n') + '\n');
    return;
  }
  const load = loadFlags(v, 'model', defaultEncoder());
  const texts = await textsOf(ctx, 'embed');
  const r = await client.request('embed', { ...load, texts, normalize: !!v.normalize }, { signal });
  io.out(json ? `${JSON.stringify(r)}\n` : r.vectors.map((x) => x.map((n) => n.toFixed(5)).join(' ')).join('\n') + '\n');
  await noteFallback(ctx, load);
}
