/**
 * The models a host has loaded, keyed by folder. Each load happens once (concurrent callers
 * share the promise); requests on one model run one at a time, since a causal LM's KV cache is
 * shared state.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { HostError } from '../protocol/errors';
import { scoreBySimilarity } from '../protocol/similarity';
import { EXECUTION_PROVIDERS } from '../protocol/types';
import type {
  ClassifyParams,
  ClassifyResult,
  EmbedParams,
  EmbedResult,
  GenerateParams,
  PrefillParams,
  PrefillResult,
  GenerateResult,
  HostStatus,
  LoadParams,
  ModelInfo,
  ModelTask,
  ScoreParams,
  CountTokensParams,
  CountTokensResult,
  ScoreResult,
  TrainClassifierParams,
  TrainClassifierResult,
  ZeroShotParams,
  ZeroShotResult,
} from '../protocol/types';
import { isDecoderModel } from './models/config';
import { readModelFolder } from './models/folder';
import type { Cancellation } from './cancellation';
import { CausalLM } from './generation/causalLm';
import { EncoderModel } from './encoders/encoder';
import { FewShotCache, isFewShotPath, scoreWith, teach } from './encoders/fewShot';
import { planProviders } from './runtime/providers';
import { backends, createSession, inputMeta, resolveThreads } from './runtime/session';
import { ModelTokenizer } from './runtime/tokenizer';

interface Loaded {
  info: ModelInfo;
  /** The provider asked for; info.ep is the one that runs (they differ after a fallback). */
  requestedEp: LoadParams['ep'];
  lm?: CausalLM;
  encoder?: EncoderModel;
  /** Tail of this model's request queue. */
  queue: Promise<unknown>;
  /** Running or queued warm-ups, pre-empted by the next request. */
  prefills: Set<Cancellation>;
  release(): Promise<void>;
}

export const DEFAULT_TEMPLATE = 'This example is {}.';

export class Engine {
  private readonly models = new Map<string, Promise<Loaded>>();
  private readonly fewShot = new FewShotCache();
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
      // A provider that fell back (webgpu -> cpu) is the same request again, not a reason to reload.
      const same = m && (!p.ep || p.ep === 'auto' || p.ep === m.info.ep || p.ep === m.requestedEp) && (!p.threads || wantsThreads === m.info.threads) && (!p.onnxFile || m.info.onnxFile.endsWith(p.onnxFile));
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
    // Decoders serve keystrokes (no idle spinning); encoders serve batches (spinning is faster).
    const created = await createSession(folder.onnxPath, p.ep ?? 'auto', p.threads, !folder.model.isDecoder);
    const inputNames = [...inputMeta(created.session).keys()];
    const outputNames = [...created.session.outputNames];
    // Refined to feature-extraction below when the encoder has no classification head.
    let task: ModelTask = isDecoderModel(folder.model, { inputs: inputNames, outputs: outputNames }) ? 'text-generation' : 'text-classification';
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
      modelType: folder.model.modelType ?? 'unknown',
      onnxFile: folder.onnxFile,
      ep: created.ep,
      fallbacks: created.fallbacks,
      inputNames,
      outputNames,
      labels: encoder?.labels,
      contextLength: lm ? lm.contextLength : (encoder?.maxLength ?? 0),
      fim: !!lm && !!tokenizer.fim,
      chat: !!lm?.chat,
      threads: created.threads,
      loadMs: performance.now() - t0,
    };
    return { info, requestedEp: p.ep, lm, encoder, queue: Promise.resolve(), prefills: new Set(), release: () => created.session.release() };
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
    this.preemptPrefills(m);
    return this.exclusive(m, () => {
      if (cancel.cancelled) throw new HostError('CANCELLED', 'Generation was cancelled.');
      return lm.generate({ prompt: p.prompt, suffix: p.suffix, messages: p.messages, context: p.context, filePath: p.filePath, repoName: p.repoName, options: p.options ?? {}, onText, cancel, ep: m.info.ep });
    });
  }

  /**
   * Warms the model's KV cache in the background. Any later generate or prefill on the model
   * pre-empts it between chunks, so a keystroke never waits for more than one chunk of it.
   */
  async prefill(p: PrefillParams, cancel: Cancellation): Promise<PrefillResult> {
    const m = await this.get(p);
    if (!m.lm) throw new HostError('BAD_REQUEST', `${m.info.modelPath} is a ${m.info.task} model; prefill needs a causal language model.`);
    const lm = m.lm;
    this.preemptPrefills(m);
    m.prefills.add(cancel);
    try {
      return await this.exclusive(m, () => lm.prefill({ prompt: p.prompt, suffix: p.suffix, context: p.context, path: p.filePath, repo: p.repoName, templated: false }, p.maxNewTokens, cancel));
    } finally {
      m.prefills.delete(cancel);
    }
  }

  private preemptPrefills(m: Loaded): void {
    for (const c of m.prefills) c.cancelled = true;
  }

  /** Tokens of a conversation (as generate renders it) and of texts; tokenizes only, so it does not wait for the model's queue. */
  async countTokens(p: CountTokensParams): Promise<CountTokensResult> {
    const m = await this.get(p);
    if (!m.lm) throw new HostError('BAD_REQUEST', `${m.info.modelPath} is a ${m.info.task} model; counting chat tokens needs a causal language model.`);
    return { ...m.lm.countTokens(p.messages, p.texts ?? []), contextLength: m.info.contextLength, chat: m.info.chat };
  }

  async score(p: ScoreParams): Promise<ScoreResult> {
    const m = await this.get(p);
    if (!m.lm) throw new HostError('BAD_REQUEST', `${m.info.modelPath} is a ${m.info.task} model; scoring needs a causal language model.`);
    const lm = m.lm;
    return this.exclusive(m, () => lm.score(p.text));
  }

  async classify(p: ClassifyParams, cancel: Cancellation): Promise<ClassifyResult> {
    const t0 = performance.now();
    if (isFewShotPath(p.modelPath)) {
      const clf = this.fewShot.get(p.modelPath);
      const enc = await this.embed({ ...p, modelPath: clf.encoder.modelPath, onnxFile: clf.encoder.onnxFile, normalize: true }, cancel).catch((e: unknown) => {
        if (e instanceof HostError && e.code === 'MODEL_NOT_FOUND') {
          throw new HostError('MODEL_NOT_FOUND', `The classifier "${clf.name}" needs its encoder at ${clf.encoder.modelPath}, which is missing. Restore that model or teach the classifier again.`);
        }
        throw e;
      });
      if (enc.dim !== clf.encoder.dim) {
        throw new HostError('MODEL_INVALID', `The classifier "${clf.name}" was taught on ${clf.encoder.dim}-dimensional embeddings but ${clf.encoder.modelPath} now gives ${enc.dim}; teach it again.`);
      }
      return { results: scoreWith(clf, enc.vectors, p.topK), stats: { texts: p.texts.length, totalMs: performance.now() - t0, ep: enc.stats.ep, truncated: 0 } };
    }
    const m = await this.get(p);
    if (!m.encoder?.isClassifier) throw new HostError('BAD_REQUEST', `${m.info.modelPath} is a ${m.info.task} model; classification needs a sequence classifier (config.json with id2label and a logits output) or a few-shot classifier (.json).`);
    const enc = m.encoder;
    const { results, truncated } = await this.exclusive(m, () => enc.classify(p.texts, p.topK, cancel));
    return { results, stats: { texts: p.texts.length, totalMs: performance.now() - t0, ep: m.info.ep, truncated } };
  }

  async embed(p: EmbedParams, cancel: Cancellation): Promise<EmbedResult> {
    const t0 = performance.now();
    const m = await this.get(p);
    if (!m.encoder || m.encoder.isClassifier) {
      throw new HostError('BAD_REQUEST', `${m.info.modelPath} is a ${m.info.task} model; embeddings need an encoder with a hidden-state output (last_hidden_state or sentence_embedding), such as all-MiniLM-L6-v2.`);
    }
    const enc = m.encoder;
    const { vectors, dim } = await this.exclusive(m, () => enc.embed(p.texts, p.normalize ?? false, cancel));
    return { vectors, dim, stats: { texts: p.texts.length, totalMs: performance.now() - t0, ep: m.info.ep } };
  }

  /** Zero-shot with the user's labels: NLI when the model is an entailment classifier, else embedding similarity. */
  async zeroShot(p: ZeroShotParams, cancel: Cancellation): Promise<ZeroShotResult> {
    const t0 = performance.now();
    const m = await this.get(p);
    const enc = m.encoder;
    const stats = (truncated: number) => ({ texts: p.texts.length, labels: p.labels.length, totalMs: performance.now() - t0, ep: m.info.ep, truncated });
    if (enc?.nli) {
      const template = p.template ?? DEFAULT_TEMPLATE;
      const { results, truncated } = await this.exclusive(m, () => enc.zeroShotNli({ texts: p.texts, labels: p.labels, template, multiLabel: p.multiLabel ?? false }, cancel));
      return { results, mode: 'nli', stats: stats(truncated) };
    }
    if (!enc || enc.isClassifier) {
      const what = enc ? `a classifier with fixed labels (${(enc.labels ?? []).join(', ')})` : `a ${m.info.task} model`;
      throw new HostError('BAD_REQUEST', `${m.info.modelPath} is ${what}. Zero-shot needs an NLI model (labels entailment and contradiction, e.g. nli-deberta-v3-xsmall) or an embedding model (e.g. all-MiniLM-L6-v2).`);
    }
    const { vectors } = await this.exclusive(m, () => enc.embed([...p.texts, ...p.labels], true, cancel));
    const results = scoreBySimilarity({ texts: vectors.slice(0, p.texts.length), labels: vectors.slice(p.texts.length), names: p.labels, multiLabel: p.multiLabel ?? false });
    return { results, mode: 'similarity', stats: stats(0) };
  }

  /** Embeds the examples with the encoder and fits a logistic-regression head (cross-validated). */
  async trainClassifier(p: TrainClassifierParams, cancel: Cancellation): Promise<TrainClassifierResult> {
    if (p.examples.length < 4) throw new HostError('BAD_REQUEST', `Only ${p.examples.length} example(s); a classifier needs at least two labels with two examples each.`);
    const t0 = performance.now();
    const emb = await this.embed({ ...p, texts: p.examples.map((e) => e.text), normalize: true }, cancel);
    const t1 = performance.now();
    const m = await this.get(p);
    const classifier = teach(p, emb, { modelPath: m.info.modelPath, onnxFile: m.info.onnxFile, modelType: m.info.modelType });
    return { classifier, stats: { examples: p.examples.length, embedMs: t1 - t0, trainMs: performance.now() - t1, ep: emb.stats.ep } };
  }

  async status(): Promise<HostStatus> {
    const models: ModelInfo[] = [];
    for (const entry of this.models.values()) {
      const m = await entry.catch(() => undefined);
      if (m) models.push(m.info);
    }
    const mem = process.memoryUsage();
    const mb = (b: number) => Math.round(b / 1048576);
    const installed = backends();
    const providers = EXECUTION_PROVIDERS.map((ep) => {
      // auto and cpu always run; another provider runs when the plan for it puts it first.
      const plan = planProviders(ep, process.platform, installed);
      const available = ep === 'auto' || ep === 'cpu' || plan.order[0] === ep;
      return available ? { ep, available } : { ep, available, reason: plan.skipped[0] ?? 'not available' };
    });
    return {
      models,
      ortVersion: ort.env.versions.common,
      backends: installed,
      providers,
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
