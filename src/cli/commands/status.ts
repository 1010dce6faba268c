/**
 * `status`: what this machine can run (onnxruntime, providers and why one cannot run here) and,
 * with --model, how that model loaded: the first thing to ask when a model is slow or refused.
 */
import { loadFlags } from '../args';
import type { HostContext } from '../context';

export async function status({ client, v, io, json }: HostContext): Promise<void> {
  if (v.model !== undefined) await client.request('load', loadFlags(v));
  const s = await client.request('status', {});
  if (json) {
    io.out(`${JSON.stringify(s)}\n`);
    return;
  }
  io.out(`onnxruntime ${s.ortVersion} on ${s.platform}; default threads ${s.threads}; rss ${s.memory.rssMB} MB\n`);
  // The engine says why a provider that ships with onnxruntime cannot run (WebGPU without a driver).
  const why = (b: (typeof s.backends)[number]) => (b.installed ? '' : 'reason' in b ? ' (unavailable here)' : ' (not installed)');
  io.out(`providers: ${s.backends.map((b) => `${b.name}${why(b)}`).join(', ')}\n`);
  for (const m of s.models) {
    io.out(`${m.modelPath}: ${m.task} (${m.modelType}, ${m.onnxFile}) on ${m.ep}, ${m.threads} threads, loaded in ${m.loadMs.toFixed(0)} ms\n`);
    for (const f of m.fallbacks) io.out(`  fallback: ${f}\n`);
  }
}
