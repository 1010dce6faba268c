/** Creates onnxruntime sessions on the best available provider, falling back to CPU with reasons. */
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { HostError } from '../../protocol/errors';
import type { ConcreteProvider, ExecutionProvider } from '../../protocol/types';
import { defaultThreads, planProviders, probeBackends, type BackendInfo } from './providers';

export interface CreatedSession {
  session: ort.InferenceSession;
  ep: ConcreteProvider;
  fallbacks: string[];
  threads: number;
}

let backendsCache: BackendInfo[] | undefined;

export function backends(): BackendInfo[] {
  if (!backendsCache) {
    let ortDir: string | undefined;
    try {
      ortDir = path.dirname(path.dirname(require.resolve('onnxruntime-node')));
    } catch {
      ortDir = undefined;
    }
    backendsCache = probeBackends(() => ort.listSupportedBackends(), ortDir);
  }
  return backendsCache;
}

export function resolveThreads(requested: number | undefined): number {
  return requested && requested > 0 ? requested : defaultThreads(os.availableParallelism());
}

/**
 * `spin`: let idle intra-op threads spin between operators. Off for decoders, which run on the
 * typing path (spinning burns a core the editor needs between keystrokes); on for encoders,
 * whose work comes in batches (classification, zero-shot, embeddings) where it is faster.
 */
function sessionOptions(ep: ConcreteProvider, threads: number, spin = false): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [ep],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    enableCpuMemArena: true,
    enableMemPattern: true,
    extra: { session: { intra_op: { allow_spinning: spin ? '1' : '0' }, inter_op: { allow_spinning: '0' } } },
  };
}

/**
 * A provider that failed to start, in one line: onnxruntime's messages begin with its source
 * location and the failed check ("/onnxruntime_src/...cc:136 ... was false."), which say nothing
 * to a user.
 */
export function providerFailure(ep: ConcreteProvider, message: string): string {
  const plain = message.replace(/^\/\S+:\d+ .*? was false\. /, '').replace(/^\/\S+:\d+ \S+ /, '');
  if (ep === 'webgpu' && /WebGPU adapter/i.test(plain)) return `webgpu: WebGPU is unavailable: no usable GPU adapter (${plain})`;
  return `${ep}: failed to start (${plain})`;
}

/** Tries each planned provider in order; every provider passed over is reported with its reason. */
export async function createSession(onnxPath: string, requested: ExecutionProvider, threadsSetting?: number, spin = false): Promise<CreatedSession> {
  const threads = resolveThreads(threadsSetting);
  const plan = planProviders(requested, process.platform, backends());
  const fallbacks = [...plan.skipped];
  for (const ep of plan.order) {
    try {
      const session = await ort.InferenceSession.create(onnxPath, sessionOptions(ep, threads, spin));
      return { session, ep, fallbacks, threads };
    } catch (e) {
      const message = (e as Error).message.split('\n')[0];
      if (ep === 'cpu') {
        throw new HostError('MODEL_INVALID', `${onnxPath}: onnxruntime could not load it (${message}). The file may be corrupt or use operators this onnxruntime (${ort.env.versions.common}) lacks.`);
      }
      fallbacks.push(providerFailure(ep, message));
    }
  }
  throw new HostError('INTERNAL', 'no execution provider planned');
}

/** Input/output metadata as plain data: name -> {type, shape}. */
export interface TensorMeta {
  type: string;
  shape: (number | string)[];
}

export function inputMeta(session: ort.InferenceSession): Map<string, TensorMeta> {
  return metaMap(session.inputMetadata);
}

export function outputMeta(session: ort.InferenceSession): Map<string, TensorMeta> {
  return metaMap(session.outputMetadata);
}

function metaMap(list: readonly ort.InferenceSession.ValueMetadata[]): Map<string, TensorMeta> {
  const m = new Map<string, TensorMeta>();
  for (const v of list) {
    if (v.isTensor) m.set(v.name, { type: v.type, shape: [...(v.shape as (number | string)[])] });
    else m.set(v.name, { type: 'non-tensor', shape: [] });
  }
  return m;
}

const metaCache = new WeakMap<ort.InferenceSession, Map<string, TensorMeta>>();

/** Checks feeds against the session's declared inputs before any run: names, types, ranks, fixed dims. */
export function checkFeeds(session: ort.InferenceSession, feeds: Record<string, ort.Tensor>, what: string): void {
  let meta = metaCache.get(session);
  if (!meta) metaCache.set(session, (meta = inputMeta(session)));
  for (const [name, m] of meta) {
    const t = feeds[name];
    if (!t) throw new HostError('MODEL_UNSUPPORTED', `${what} needs an input named "${name}" that ONNX Assist does not know how to fill. Inputs it provides: ${Object.keys(feeds).join(', ')}.`);
    if (m.type !== t.type) throw new HostError('MODEL_UNSUPPORTED', `${what}: input "${name}" must be ${m.type}, ONNX Assist prepared ${t.type}.`);
    if (m.shape.length > 0 && m.shape.length !== t.dims.length) {
      throw new HostError('MODEL_UNSUPPORTED', `${what}: input "${name}" has rank ${m.shape.length} (${JSON.stringify(m.shape)}), prepared ${JSON.stringify(t.dims)}.`);
    }
    m.shape.forEach((d, i) => {
      if (typeof d === 'number' && d > 0 && t.dims[i] !== d) {
        throw new HostError('MODEL_UNSUPPORTED', `${what}: input "${name}" dimension ${i} must be ${d}, prepared ${t.dims[i]}.`);
      }
    });
  }
  for (const name of Object.keys(feeds)) {
    if (!meta.has(name)) throw new HostError('INTERNAL', `${what}: prepared an input "${name}" the model does not declare`);
  }
}
