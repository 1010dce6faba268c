/**
 * Encoder models (BERT, DistilBERT, RoBERTa, DeBERTa, MiniLM): sequence classification and
 * pooled embeddings. Batches are sorted by length so padding is small, then put back in order.
 */
import * as ort from 'onnxruntime-node';
import { HostError } from '../../protocol/errors';
import type { LabelScore } from '../../protocol/types';
import type { Cancellation } from '../cancellation';
import { num } from '../models/config';
import type { ModelFolder } from '../models/folder';
import { checkFeeds, inputMeta, outputMeta, type CreatedSession } from '../runtime/session';
import { int64 } from '../runtime/tensors';
import type { ModelTokenizer } from '../runtime/tokenizer';

const BATCH = 32;

interface Encoded {
  ids: number[];
  /** Token type ids for sentence pairs; zeros when absent. */
  typeIds?: number[];
  truncated: boolean;
}

export function softmax(x: ArrayLike<number>): number[] {
  let max = -Infinity;
  for (let i = 0; i < x.length; i++) max = Math.max(max, x[i]);
  const e = Array.from(x, (v) => Math.exp(v - max));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

export function sigmoid(x: ArrayLike<number>): number[] {
  return Array.from(x, (v) => 1 / (1 + Math.exp(-v)));
}

/** Labels in id order from config.json's id2label (string keys), or LABEL_i when absent. */
export function labelsFromConfig(config: Record<string, unknown>, count: number): string[] {
  const id2label = (config.id2label ?? {}) as Record<string, unknown>;
  return Array.from({ length: count }, (_, i) => (typeof id2label[String(i)] === 'string' ? (id2label[String(i)] as string) : `LABEL_${i}`));
}

/** Scores for one row of logits, best first, cut to topK. */
export function scoreLabels(logits: ArrayLike<number>, labels: string[], multiLabel: boolean, topK?: number): LabelScore[] {
  const probs = multiLabel ? sigmoid(logits) : softmax(logits);
  if (probs.some((p) => Number.isNaN(p))) throw new HostError('INFERENCE_FAILED', 'The classifier produced NaN scores; the model file may be damaged.');
  const out = probs.map((score, i) => ({ label: labels[i], score })).sort((a, b) => b.score - a.score);
  return topK ? out.slice(0, topK) : out;
}

export class EncoderModel {
  readonly maxLength: number;
  readonly labels: string[] | undefined;
  readonly multiLabel: boolean;
  private readonly wantsTokenTypes: boolean;
  private readonly outputName: string;
  private readonly padId: number;

  constructor(
    private readonly created: CreatedSession,
    private readonly folder: ModelFolder,
    readonly tokenizer: ModelTokenizer,
  ) {
    const inputs = inputMeta(created.session);
    const outputs = outputMeta(created.session);
    for (const name of inputs.keys()) {
      if (!['input_ids', 'attention_mask', 'token_type_ids'].includes(name)) {
        throw new HostError('MODEL_UNSUPPORTED', `${folder.onnxFile} needs input "${name}"; encoder models take input_ids, attention_mask and token_type_ids.`);
      }
    }
    this.wantsTokenTypes = inputs.has('token_type_ids');
    const c = folder.config;
    const modelMax = num(folder.tokenizerConfig.model_max_length);
    const posMax = folder.model.contextLength ?? 512;
    // RoBERTa-style position ids start after the padding index, so two positions are unusable.
    const offset = ['roberta', 'xlm-roberta', 'camembert'].includes(folder.model.modelType ?? '') ? 2 : 0;
    this.maxLength = Math.min(modelMax && modelMax < 1e6 ? modelMax : posMax, posMax - offset);
    this.padId = tokenizer.padId ?? 0;
    const pick = ['logits', 'last_hidden_state', 'token_embeddings', 'sentence_embedding'].find((n) => outputs.has(n));
    if (!pick) throw new HostError('MODEL_UNSUPPORTED', `${folder.onnxFile} has none of the outputs logits, last_hidden_state, token_embeddings (it has ${[...outputs.keys()].join(', ')}).`);
    this.outputName = pick;
    if (pick === 'logits') {
      const dims = outputs.get('logits')!.shape;
      const count = typeof dims[1] === 'number' ? dims[1] : Object.keys((c.id2label ?? {}) as object).length;
      if (!count) throw new HostError('MODEL_INVALID', `${folder.dir}/config.json has no id2label, so the classifier's labels are unknown.`);
      this.labels = labelsFromConfig(c, count);
    }
    this.multiLabel = folder.model.multiLabel;
  }

  get session(): ort.InferenceSession {
    return this.created.session;
  }

  get isClassifier(): boolean {
    return this.outputName === 'logits';
  }

  /** Runs encoded inputs in length-sorted batches; `each` receives the output rows for the original indices. */
  private async forEachBatch(
    encoded: Encoded[],
    cancel: Cancellation,
    each: (out: ort.Tensor, indices: number[], masks: number[][]) => void,
  ): Promise<void> {
    const order = encoded.map((_, i) => i).sort((a, b) => encoded[a].ids.length - encoded[b].ids.length);
    for (let start = 0; start < order.length; start += BATCH) {
      if (cancel.cancelled) throw new HostError('CANCELLED', 'Cancelled.');
      const idx = order.slice(start, start + BATCH);
      const len = Math.max(1, ...idx.map((i) => encoded[i].ids.length));
      const ids: number[] = [];
      const types: number[] = [];
      const masks: number[][] = [];
      for (const i of idx) {
        const e = encoded[i];
        const pad = len - e.ids.length;
        ids.push(...e.ids, ...new Array<number>(pad).fill(this.padId));
        types.push(...(e.typeIds ?? new Array<number>(e.ids.length).fill(0)), ...new Array<number>(pad).fill(0));
        masks.push([...new Array<number>(e.ids.length).fill(1), ...new Array<number>(pad).fill(0)]);
      }
      const feeds: Record<string, ort.Tensor> = {
        input_ids: int64(ids, [idx.length, len]),
        attention_mask: int64(masks.flat(), [idx.length, len]),
      };
      if (this.wantsTokenTypes) feeds.token_type_ids = int64(types, [idx.length, len]);
      checkFeeds(this.session, feeds, this.folder.onnxFile);
      let out: ort.InferenceSession.ReturnType;
      try {
        out = await this.session.run(feeds, [this.outputName]);
      } catch (e) {
        throw new HostError('INFERENCE_FAILED', `onnxruntime failed while running ${this.folder.onnxFile}: ${(e as Error).message.split('\n')[0]}`);
      }
      each(out[this.outputName] as ort.Tensor, idx, masks);
    }
  }

  private encodeTexts(texts: string[]): Encoded[] {
    return texts.map((t) => this.tokenizer.encodeTruncated(t, this.maxLength));
  }

  /** Raw logits per input, in input order. */
  private async logits(encoded: Encoded[], cancel: Cancellation): Promise<Float32Array[]> {
    const rows: Float32Array[] = new Array(encoded.length);
    await this.forEachBatch(encoded, cancel, (out, idx) => {
      const data = out.data as Float32Array;
      const k = out.dims[1];
      idx.forEach((orig, row) => (rows[orig] = data.slice(row * k, row * k + k)));
    });
    return rows;
  }

  /** Indices of the entailment and contradiction labels when this is an NLI model. */
  get nli(): { entailment: number; contradiction: number } | undefined {
    const find = (prefix: string) => this.labels?.findIndex((l) => l.toLowerCase().startsWith(prefix)) ?? -1;
    const entailment = find('entail');
    const contradiction = find('contradict');
    return entailment >= 0 && contradiction >= 0 ? { entailment, contradiction } : undefined;
  }

  /**
   * Zero-shot by natural-language inference: every (text, "This example is {label}.") pair in one
   * batched run. Single-label: softmax of the entailment logits over the labels. Multi-label:
   * per label, softmax over (contradiction, entailment).
   */
  async zeroShotNli(
    { texts, labels, template, multiLabel }: { texts: string[]; labels: string[]; template: string; multiLabel: boolean },
    cancel: Cancellation,
  ): Promise<{ results: LabelScore[][]; truncated: number }> {
    const nli = this.nli;
    if (!nli) throw new HostError('BAD_REQUEST', `${this.folder.dir} is not an NLI model (its labels do not include entailment and contradiction).`);
    const hypotheses = labels.map((l) => template.split('{}').join(l));
    const encoded: Encoded[] = [];
    for (const t of texts) for (const h of hypotheses) encoded.push(this.tokenizer.encodePairTruncated(t, h, this.maxLength));
    const rows = await this.logits(encoded, cancel);
    const results = texts.map((_, i) => {
      const mine = rows.slice(i * labels.length, (i + 1) * labels.length);
      const scores = multiLabel
        ? mine.map((r) => softmax([r[nli.contradiction], r[nli.entailment]])[1])
        : softmax(mine.map((r) => r[nli.entailment]));
      if (scores.some((x) => Number.isNaN(x))) throw new HostError('INFERENCE_FAILED', 'The NLI model produced NaN scores; the model file may be damaged.');
      return labels.map((label, k) => ({ label, score: scores[k] })).sort((a, b) => b.score - a.score);
    });
    const truncatedTexts = texts.filter((_, i) => encoded.slice(i * labels.length, (i + 1) * labels.length).some((e) => e.truncated)).length;
    return { results, truncated: truncatedTexts };
  }

  async classify(texts: string[], topK: number | undefined, cancel: Cancellation): Promise<{ results: LabelScore[][]; truncated: number }> {
    if (!this.labels) throw new HostError('BAD_REQUEST', `${this.folder.dir} is not a classifier (no logits output); use it for embeddings instead.`);
    const labels = this.labels;
    const encoded = this.encodeTexts(texts);
    const rows = await this.logits(encoded, cancel);
    const results = rows.map((r) => scoreLabels(r, labels, this.multiLabel, topK));
    return { results, truncated: encoded.filter((e) => e.truncated).length };
  }

  /** Mean pooling under the attention mask (or the model's own sentence embedding), optionally L2-normalised. */
  async embed(texts: string[], normalize: boolean, cancel: Cancellation): Promise<{ vectors: number[][]; dim: number }> {
    const vectors: number[][] = new Array(texts.length);
    let dim = 0;
    await this.forEachBatch(this.encodeTexts(texts), cancel, (out, idx, masks) => {
      const data = out.data as Float32Array;
      if (out.dims.length === 2) {
        dim = out.dims[1];
        idx.forEach((orig, row) => (vectors[orig] = Array.from(data.subarray(row * dim, (row + 1) * dim))));
      } else {
        const [, seq, hidden] = out.dims;
        dim = hidden;
        idx.forEach((orig, row) => {
          const v = new Float64Array(hidden);
          let count = 0;
          for (let t = 0; t < seq; t++) {
            if (!masks[row][t]) continue;
            count++;
            const base = (row * seq + t) * hidden;
            for (let h = 0; h < hidden; h++) v[h] += data[base + h];
          }
          vectors[orig] = Array.from(v, (x) => x / Math.max(1, count));
        });
      }
    });
    if (normalize) {
      for (const v of vectors) {
        const norm = Math.sqrt(v.reduce((a, b) => a + b * b, 0)) || 1;
        for (let i = 0; i < v.length; i++) v[i] /= norm;
      }
    }
    if (vectors.some((v) => v.some((x) => Number.isNaN(x)))) throw new HostError('INFERENCE_FAILED', 'The encoder produced NaN values; the model file may be damaged.');
    return { vectors, dim };
  }
}
