/**
 * The models a host has loaded, keyed by folder. Each load happens once (concurrent callers
 * share the promise); requests on one model run one at a time, since a causal LM's KV cache is
 * shared state.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { HostError } from '../../protocol/errors';
import type {
  ClassifyParams,
  ClassifyResult,
  EmbedParams,
  EmbedResult,
  GenerateParams,
  GenerateResult,
  HostStatus,
  LoadParams,
  ModelInfo,
  ModelTask,
  ScoreParams,
  ScoreResult,
} from '../../protocol/types';
import { readModelFolder, type ModelFolder } from '../models/folder';
import { CausalLM, type Cancellation } from './causalLm';
import { EncoderModel } from './encoder';
import { backends, createSession, inputMeta, resolveThreads } from './session';
import { ModelTokenizer } from './tokenizer';

interface Loaded {
  info: ModelInfo;
  lm?: CausalLM;
  encoder?: EncoderModel;
  /** Tail of this model's request queue. */
  queue: Promise<unknown>;
  release(): Promise<void>;
}

const DECODER_ARCH = /ForCausalLM$|LMHeadModel$/;

export function detectTask(folder: ModelFolder, inputNames: string[]): ModelTask {
  if (inputNames.some((n) => n.startsWith('past_key_values.'))) return 'text-generation';
  const archs = Array.isArray(folder.config.architectures) ? (folder.config.architectures as unknown[]) : [];
  if (archs.some((a) => typeof a === 'string' && DECODER_ARCH.test(a))) return 'text-generation';
  return 'text-classification'; // refined to feature-extraction by the encoder's outputs
}

export class Engine {
  private readonly models = new Map<string, Promise<Loaded>>();
  private readonly started = Date.now();

  private key(p: LoadParams): string {
    return path.resolve(p.modelPath);
  }

  async load(p: LoadParams): Promise<ModelInfo> {
    return (await this.get(p)).info;
  }

  /** The loaded model for these params; reloads when the provider, threads or file differ. */
  private async get(p: LoadParams): Promise<Loaded> {
    const key = this.key(p);
    const existing = this.models.get(key);
    if (existing) {
      const m = await existing.catch(() => undefined);
      const wantsThreads = resolveThreads(p.threads);
      const same = m && (!p.ep || p.ep === 'auto' || p.ep === m.info.ep) && (!p.threads || wantsThreads === m.info.threads) && (!p.onnxFile || m.info.onnxFile.endsWith(p.onnxFile));
      if (same) return m;
      if (m) await this.unload(key);
      else this.models.delete(key);
    }
    const loading = this.open(p);
    this.models.set(key, loading);
    loading.catch(() => this.models.delete(key));
    return loading;
  }

  private async open(p: LoadParams): Promise<Loaded> {
    const t0 = performance.now();
    const folder = readModelFolder(p.modelPath, p.onnxFile);
    const tokenizer = new ModelTokenizer(folder.tokenizerJson, folder.tokenizerConfig, folder.config, folder.generationConfig);
    const created = await createSession(folder.onnxPath, p.ep ?? 'auto', p.threads);
    const inputNames = [...inputMeta(created.session).keys()];
    let task = detectTask(folder, inputNames);
    let lm: CausalLM | undefined;
    let encoder: EncoderModel | undefined;
    try {
      if (task === 'text-generation') lm = new CausalLM(created, folder, tokenizer);
      else {
        encoder = new EncoderModel(created, folder, tokenizer);
        if (!encoder.isClassifier) task = 'feature-extraction';
      }
    } catch (e) {
      await created.session.release();
      throw e;
    }
    const info: ModelInfo = {
      modelPath: folder.dir,
      task,
      modelType: typeof folder.config.model_type === 'string' ? folder.config.model_type : 'unknown',
      onnxFile: folder.onnxFile,
      ep: created.ep,
      fallbacks: created.fallbacks,
      inputNames,
      outputNames: [...created.session.outputNames],
      labels: encoder?.labels,
      contextLength: lm ? lm.contextLength : (encoder?.maxLength ?? 0),
      fim: !!lm && !!tokenizer.fim,
      threads: created.threads,
      loadMs: performance.now() - t0,
    };
    return { info, lm, encoder, queue: Promise.resolve(), release: () => created.session.release() };
  }

  /** Runs `fn` after every earlier request on this model has settled. */
  private exclusive<T>(m: Loaded, fn: () => Promise<T>): Promise<T> {
    const run = m.queue.then(fn, fn);
    m.queue = run.catch(() => undefined);
    return run;
  }

  async unload(modelPath: string): Promise<boolean> {
    const key = path.resolve(modelPath);
    const entry = this.models.get(key);
    if (!entry) return false;
    this.models.delete(key);
    const m = await entry.catch(() => undefined);
    if (!m) return false;
    await m.queue;
    m.lm?.clearCache();
    await m.release();
    return true;
  }

  async generate(p: GenerateParams, onText: (sequence: number, text: string) => void, cancel: Cancellation): Promise<GenerateResult> {
    const m = await this.get(p);
    if (!m.lm) throw new HostError('BAD_REQUEST', `${m.info.modelPath} is a ${m.info.task} model; generation needs a causal language model.`);
    const lm = m.lm;
    return this.exclusive(m, () => {
      if (cancel.cancelled) throw new HostError('CANCELLED', 'Generation was cancelled.');
      return lm.generate(p.prompt, p.options ?? {}, onText, cancel, m.info.ep, p.suffix);
    });
  }

  async score(p: ScoreParams): Promise<ScoreResult> {
    const m = await this.get(p);
    if (!m.lm) throw new HostError('BAD_REQUEST', `${m.info.modelPath} is a ${m.info.task} model; scoring needs a causal language model.`);
    const lm = m.lm;
    return this.exclusive(m, () => lm.score(p.text));
  }

  async classify(p: ClassifyParams, cancel: Cancellation): Promise<ClassifyResult> {
    const t0 = performance.now();
    const m = await this.get(p);
    if (!m.encoder?.isClassifier) throw new HostError('BAD_REQUEST', `${m.info.modelPath} is a ${m.info.task} model; classification needs a sequence classifier (config.json with id2label and a logits output).`);
    const enc = m.encoder;
    const { results, truncated } = await this.exclusive(m, () => enc.classify(p.texts, p.topK, cancel));
    return { results, stats: { texts: p.texts.length, totalMs: performance.now() - t0, ep: m.info.ep, truncated } };
  }

  async embed(p: EmbedParams, cancel: Cancellation): Promise<EmbedResult> {
    const t0 = performance.now();
    const m = await this.get(p);
    if (!m.encoder) throw new HostError('BAD_REQUEST', `${m.info.modelPath} is a ${m.info.task} model; embeddings need an encoder model.`);
    const enc = m.encoder;
    const { vectors, dim } = await this.exclusive(m, () => enc.embed(p.texts, p.normalize ?? false, cancel));
    return { vectors, dim, stats: { texts: p.texts.length, totalMs: performance.now() - t0, ep: m.info.ep } };
  }

  async status(): Promise<HostStatus> {
    const models: ModelInfo[] = [];
    for (const entry of this.models.values()) {
      const m = await entry.catch(() => undefined);
      if (m) models.push(m.info);
    }
    const mem = process.memoryUsage();
    const mb = (b: number) => Math.round(b / 1048576);
    return {
      models,
      ortVersion: ort.env.versions.common,
      backends: backends(),
      threads: resolveThreads(undefined),
      memory: { rssMB: mb(mem.rss), heapUsedMB: mb(mem.heapUsed), externalMB: mb(mem.external + mem.arrayBuffers) },
      uptimeMs: Date.now() - this.started,
      platform: `${process.platform}-${process.arch}, ${os.availableParallelism()} cores`,
    };
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.models.keys()].map((k) => this.unload(k)));
  }
}
