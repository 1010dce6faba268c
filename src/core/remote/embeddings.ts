/**
 * Classification and embeddings at scale on an existing engine: Hugging Face Text Embeddings
 * Inference (`POST /predict` for a sequence classifier, `POST /embed`) and any OpenAI-compatible
 * `POST /v1/embeddings`. Texts go in batches, a few requests in flight, each retried with backoff
 * on 429/503 (Retry-After when the engine gives one), results in input order. `classify` has the
 * shape batch classification takes (core/classification/batch.ts ClassifyTexts).
 */
import type { LabelScore } from '../../protocol/types';
import { field, isArray, isNumber, isString } from './call';
import { openaiRoute } from './openai';
import { httpError, malformed, RemoteError, type ErrorScope, type RemoteHints } from './errors';
import { cancelled, readText, send } from './transport';

export const EMBEDDING_BACKENDS = ['tei', 'openai'] as const;
export type EmbeddingBackend = (typeof EMBEDDING_BACKENDS)[number];

export interface EmbeddingConfig {
  backend: EmbeddingBackend;
  endpoint: string;
  /** OpenAI's model name; TEI serves one model. */
  model: string;
  apiKey?: string;
  timeoutMs: number;
  hints: RemoteHints;
  /** Texts per request (TEI's default --max-client-batch-size is 32). */
  batchSize?: number;
  /** Requests in flight at once. */
  concurrency?: number;
  /** Tries per batch on 429/503 (the first included). */
  attempts?: number;
  /** First backoff without Retry-After; doubles each time. */
  backoffMs?: number;
}

const DEFAULTS = { batchSize: 32, concurrency: 4, attempts: 4, backoffMs: 500 } as const;

function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelled());
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelled());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export class RemoteEmbedder {
  private readonly scope: ErrorScope;
  private readonly o: Required<Pick<EmbeddingConfig, 'batchSize' | 'concurrency' | 'attempts' | 'backoffMs'>>;

  constructor(readonly config: EmbeddingConfig) {
    this.scope = { engine: config.backend === 'tei' ? 'Text Embeddings Inference' : 'OpenAI-compatible server', endpoint: config.endpoint, hints: config.hints, apiKey: config.apiKey };
    this.o = { batchSize: config.batchSize ?? DEFAULTS.batchSize, concurrency: config.concurrency ?? DEFAULTS.concurrency, attempts: config.attempts ?? DEFAULTS.attempts, backoffMs: config.backoffMs ?? DEFAULTS.backoffMs };
  }

  /** One POST, its JSON reply; 429/503 retried after Retry-After or the backoff. */
  private async post(route: string, body: unknown, signal?: AbortSignal): Promise<unknown> {
    const c = this.config;
    const auth = c.apiKey ? { key: c.apiKey, origin: new URL(c.endpoint).origin } : undefined;
    for (let attempt = 1; ; attempt++) {
      const res = await send({ url: `${c.endpoint.replace(/\/+$/, '')}${route}`, method: 'POST', body, signal, timeoutMs: c.timeoutMs, scope: this.scope, auth });
      const text = await readText(res.body);
      if (res.status >= 200 && res.status < 300) {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          throw malformed(this.scope, 'a JSON reply', text);
        }
      }
      const e = httpError(this.scope, { status: res.status, route, body: text, retryAfter: res.headers['retry-after'], sentKey: res.sentKey });
      if (e.kind !== 'busy' || attempt >= this.o.attempts) throw e;
      await wait(e.detail.retryAfterS !== undefined ? e.detail.retryAfterS * 1000 : this.o.backoffMs * 2 ** (attempt - 1), signal);
    }
  }

  /** Runs `one` over the batches of `texts`, `concurrency` at a time, results in input order. */
  private async batched<T>(texts: string[], one: (batch: string[]) => Promise<T[]>, signal?: AbortSignal): Promise<T[]> {
    const batches: string[][] = [];
    for (let i = 0; i < texts.length; i += this.o.batchSize) batches.push(texts.slice(i, i + this.o.batchSize));
    const out: T[][] = new Array(batches.length);
    let next = 0;
    const worker = async () => {
      while (next < batches.length) {
        if (signal?.aborted) throw cancelled();
        const i = next++;
        const r = await one(batches[i]);
        if (r.length !== batches[i].length) throw malformed(this.scope, `${batches[i].length} results, one per input`, `${r.length} results`);
        out[i] = r;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.o.concurrency, batches.length) }, worker));
    return out.flat();
  }

  /** One vector per text. TEI normalises (`normalize: true`); OpenAI's are already unit length. */
  embed(texts: string[], signal?: AbortSignal): Promise<number[][]> {
    const c = this.config;
    const isVectors = (v: unknown): v is number[][] => Array.isArray(v) && v.every((x) => Array.isArray(x) && x.every(isNumber));
    return this.batched(
      texts,
      async (batch) => {
        if (c.backend === 'tei') {
          const r = await this.post('/embed', { inputs: batch, normalize: true, truncate: true }, signal);
          if (!isVectors(r)) throw malformed(this.scope, 'an array of vectors (arrays of numbers)', JSON.stringify(r));
          return r;
        }
        const r = await this.post(openaiRoute(c.endpoint, '/embeddings'), { model: c.model, input: batch, encoding_format: 'float' }, signal);
        const data = field(this.scope, r, 'data', isArray, 'JSON with a "data" array of {index, embedding}');
        const vectors: number[][] = new Array(batch.length);
        for (const d of data as { index?: unknown; embedding?: unknown }[]) {
          if (!isNumber(d?.index) || !isVectors([d.embedding])) throw malformed(this.scope, 'data[] entries with a numeric index and an embedding array', JSON.stringify(d));
          vectors[d.index] = d.embedding as number[];
        }
        return vectors;
      },
      signal,
    );
  }

  /** Labels with scores, best first, per text: TEI's /predict on a sequence-classification model. */
  classify(texts: string[], signal?: AbortSignal): Promise<LabelScore[][]> {
    if (this.config.backend !== 'tei') return Promise.reject(new RemoteError('config', 'Classification needs a Text Embeddings Inference server running a sequence-classification model (backend tei); an OpenAI-compatible server only embeds.'));
    const isScores = (v: unknown): v is { label: string; score: number }[] => Array.isArray(v) && v.every((x) => isString((x as { label?: unknown })?.label) && isNumber((x as { score?: unknown })?.score));
    return this.batched(
      texts,
      async (batch) => {
        const r = await this.post('/predict', { inputs: batch.map((t) => [t]), truncate: true }, signal);
        if (!Array.isArray(r) || !r.every(isScores)) throw malformed(this.scope, 'one array of {label, score} per input', JSON.stringify(r));
        return r.map((scores) => [...scores].sort((a, b) => b.score - a.score).map(({ label, score }) => ({ label, score })));
      },
      signal,
    );
  }
}
