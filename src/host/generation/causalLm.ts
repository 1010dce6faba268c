/**
 * Text generation with the project's own decode loop over onnxruntime: KV cache in the Optimum
 * layout, reuse of the longest shared prefix with the previous request, streaming, stop rules,
 * cancellation between decode steps.
 */
import * as ort from 'onnxruntime-node';
import { HostError } from '../../protocol/errors';
import type { ChatMessage, GenerateResult, GenerationOptions, ScoreResult, StopReason } from '../../protocol/types';
import { cancelledError, type Cancellation } from '../cancellation';
import { num, type ModelConfig } from '../models/config';
import type { ModelFolder } from '../models/folder';
import { templateRegex, type KvNames } from '../models/genai';
import { ChatTemplate, chatTemplateOf } from '../runtime/chatTemplate';
import { checkFeeds, inputMeta, outputMeta, type CreatedSession, type TensorMeta } from '../runtime/session';
import { nextToken, SeededRandom, type SamplingConfig } from './sampling';
import { StopTextStream } from './stopping';
import { emptyKv, filledInt64, int64, logitsRow, repeatBatch, sliceAxis, type KvType } from '../runtime/tensors';
import type { ModelTokenizer } from '../runtime/tokenizer';

/** How a KV input/output pair is named and shaped in this graph. */
interface KvSlot {
  input: string;
  output: string;
  meta: TensorMeta;
  seqAxis: number;
}

export interface LmLayout {
  slots: KvSlot[];
  kvType: KvType;
  hasPositionIds: boolean;
  hasAttentionMask: boolean;
  hasUseCacheBranch: boolean;
  hasNumLogitsToKeep: boolean;
  vocabSize: number;
}

const NO_HISTORY: readonly number[] = [];

/**
 * Decoded text of a growing token list without re-decoding it all each step: tokens before the
 * last clean boundary are decoded once and kept. The tail is decoded together with two tokens
 * of overlap and the overlap's text removed, so decoders that treat the first token specially
 * (SentencePiece's leading space) give the same text as one full decode.
 */
export class IncrementalDecoder {
  private readonly tokens: number[] = [];
  private stableText = '';
  private start = 0;
  constructor(private readonly tokenizer: ModelTokenizer) {}

  push(token: number): string {
    this.tokens.push(token);
    const from = Math.max(0, this.start - 2);
    const overlap = this.start > from ? this.tokenizer.decode(this.tokens.slice(from, this.start)) : '';
    const withOverlap = this.tokenizer.decode(this.tokens.slice(from));
    let text: string;
    if (withOverlap.startsWith(overlap)) text = this.stableText + withOverlap.slice(overlap.length);
    else {
      text = this.tokenizer.decode(this.tokens);
      this.stableText = text;
      this.start = this.tokens.length;
      return text;
    }
    const tail = text.slice(this.stableText.length);
    if (this.tokens.length - this.start >= 8 && /\s$/.test(tail) && !tail.includes('\ufffd')) {
      this.stableText = text;
      this.start = this.tokens.length;
    }
    return text;
  }
}

/** Reads the KV layout from the graph's own metadata, filling symbolic dims from config.json. */
export function readLayout(session: ort.InferenceSession, config: ModelConfig, names?: KvNames): LmLayout {
  const inputs = inputMeta(session);
  const outputs = outputMeta(session);
  if (!inputs.has('input_ids')) throw new HostError('MODEL_UNSUPPORTED', `This causal LM has no input_ids input (inputs: ${[...inputs.keys()].join(', ')}).`);
  if (!outputs.has('logits')) throw new HostError('MODEL_UNSUPPORTED', `This causal LM has no logits output (outputs: ${[...outputs.keys()].join(', ')}).`);
  const slots: KvSlot[] = [];
  // Optimum names, or an onnxruntime-genai folder's own templates (past_%d_key, ...).
  const templates = names
    ? [
        { past: templateRegex(names.pastKey), present: names.presentKey },
        { past: templateRegex(names.pastValue), present: names.presentValue },
      ]
    : (['key', 'value', 'key_value'] as const).map((kv) => ({ past: templateRegex(`past_key_values.%d.${kv}`), present: `present.%d.${kv}` }));
  for (const [name, meta] of inputs) {
    const t = templates.find((x) => x.past.test(name));
    if (!t) continue;
    const layerIndex = t.past.exec(name)![1];
    const output = t.present.replace('%d', layerIndex);
    if (!outputs.has(output)) throw new HostError('MODEL_UNSUPPORTED', `Input ${name} has no matching output ${output}.`);
    let seqAxis = meta.shape.findIndex((d) => typeof d === 'string' && /past|seq/i.test(d));
    if (seqAxis < 0) seqAxis = meta.shape.length === 4 ? 2 : 1;
    slots.push({ input: name, output, meta, seqAxis });
  }
  // Layer order, key before value (the order of `templates`).
  const layer = (s: KvSlot) => Number(templates.map((t) => t.past.exec(s.input)?.[1]).find((x) => x !== undefined));
  const kind = (s: KvSlot) => templates.findIndex((t) => t.past.test(s.input));
  slots.sort((a, b) => layer(a) - layer(b) || kind(a) - kind(b));
  const kvType = (slots[0]?.meta.type ?? 'float32') as KvType;
  if (kvType !== 'float32' && kvType !== 'float16') throw new HostError('MODEL_UNSUPPORTED', `KV cache type ${kvType} is not supported.`);
  const logitsShape = outputs.get('logits')?.shape ?? [];
  const vocab = typeof logitsShape[2] === 'number' ? logitsShape[2] : (config.vocabSize ?? 0);
  return {
    slots,
    kvType,
    hasPositionIds: inputs.has('position_ids'),
    hasAttentionMask: inputs.has('attention_mask'),
    hasUseCacheBranch: inputs.has('use_cache_branch'),
    hasNumLogitsToKeep: inputs.has('num_logits_to_keep'),
    vocabSize: vocab,
  };
}

/** Dims of a KV input for a batch and past length: fixed dims from the graph, the rest from config.json. */
function kvDims(slot: KvSlot, config: ModelConfig, batch: number, pastLen: number): number[] {
  const { kvHeads, headDim } = config;
  return slot.meta.shape.map((d, i) => {
    if (i === 0) return batch;
    if (i === slot.seqAxis) return pastLen;
    if (typeof d === 'number' && d > 0) return d;
    // Symbolic non-sequence dims: heads before the sequence axis, head size after it.
    if (slot.meta.shape.length === 4) return i === 1 ? kvHeads : headDim;
    return slot.input.endsWith('key_value') ? 2 * headDim : headDim;
  });
}

interface Resolved extends SamplingConfig {
  maxNewTokens: number;
  numReturnSequences: number;
  stop: string[];
  seed: number;
  timeLimitMs: number;
}

export class CausalLM {
  readonly layout: LmLayout;
  readonly contextLength: number;
  /** Tokens whose keys and values are in `cachePast`, for prefix reuse by the next request. */
  private cacheTokens: number[] = [];
  private cachePast: ort.Tensor[] = [];
  private readonly addSpecialTokens: boolean;
  /** The instruct model's chat template, when tokenizer_config.json has one. */
  readonly chat: ChatTemplate | undefined;

  constructor(
    private readonly created: CreatedSession,
    private readonly folder: ModelFolder,
    readonly tokenizer: ModelTokenizer,
  ) {
    this.layout = readLayout(created.session, folder.model, folder.kvNames);
    if (!this.layout.vocabSize) this.layout.vocabSize = tokenizer.vocabSize;
    this.contextLength = folder.model.contextLength ?? num(folder.tokenizerConfig.model_max_length) ?? 2048;
    const tc = folder.tokenizerConfig;
    this.addSpecialTokens = tc.add_bos_token === true || tc.add_eos_token === true;
    const template = chatTemplateOf(tc);
    this.chat = template ? new ChatTemplate(template, tc) : undefined;
  }

  /** The prompt text for a conversation: the chat template's rendering, ending with the assistant's turn. */
  chatPrompt(messages: ChatMessage[]): string {
    if (!this.chat) throw new HostError('BAD_REQUEST', `${this.folder.dir} has no chat template (tokenizer_config.json chat_template); send a plain prompt instead.`);
    return this.chat.render(messages);
  }

  get session(): ort.InferenceSession {
    return this.created.session;
  }

  /** Drops the reusable KV cache (on unload, or when memory matters). */
  clearCache(): void {
    this.cacheTokens = [];
    this.cachePast = [];
  }

  resolveOptions(o: GenerationOptions): Resolved {
    const g = this.folder.generationConfig;
    const doSample = o.doSample ?? (o.temperature !== undefined ? o.temperature > 0 : g.do_sample === true);
    const numReturnSequences = o.numReturnSequences ?? 1;
    if (numReturnSequences > 1 && !doSample) {
      throw new HostError('BAD_REQUEST', `numReturnSequences ${numReturnSequences} needs sampling (greedy decoding gives one answer): set doSample or a temperature > 0.`);
    }
    return {
      doSample,
      temperature: o.temperature ?? num(g.temperature) ?? 1,
      topK: o.topK ?? num(g.top_k) ?? 50,
      topP: o.topP ?? num(g.top_p) ?? 1,
      repetitionPenalty: o.repetitionPenalty ?? num(g.repetition_penalty) ?? 1,
      noRepeatNgramSize: o.noRepeatNgramSize ?? num(g.no_repeat_ngram_size) ?? 0,
      maxNewTokens: o.maxNewTokens ?? num(g.max_new_tokens) ?? 64,
      numReturnSequences,
      stop: o.stop ?? [],
      seed: o.seed ?? Math.floor(Math.random() * 2 ** 32),
      timeLimitMs: o.timeLimitMs ?? Infinity,
    };
  }

  /**
   * Prompt tokens within `budget`. Fill-in-the-middle when a suffix is given and the model has FIM
   * tokens (prefix-suffix-middle order, so the prefix stays a stable token prefix for KV reuse).
   * Too long a prefix loses whole 64-token blocks from its start, so its first token moves only
   * every 64 tokens of typing and consecutive keystrokes keep sharing a cached prefix.
   */
  buildPrompt(prompt: string, suffix: string | undefined, budget: number, templated = false): { ids: number[]; promptTokens: number; truncated: number; fim: boolean } {
    const fim = this.tokenizer.fim;
    const BLOCK = 64;
    const cutLeft = (ids: number[], room: number) => {
      if (ids.length <= room) return { kept: ids, cut: 0 };
      const cut = Math.min(ids.length, Math.ceil((ids.length - room) / BLOCK) * BLOCK);
      return { kept: ids.slice(cut), cut };
    };
    if (suffix !== undefined && fim) {
      const [p, s, m] = [fim.prefix, fim.suffix, fim.middle].map((t) => this.tokenizer.tokenId(t)!);
      const pre = this.tokenizer.encode(prompt, false);
      let suf = this.tokenizer.encode(suffix, false);
      const room = Math.max(2, budget - 3);
      const sufRoom = Math.min(suf.length, Math.floor(room / 4));
      const sufCut = suf.length - sufRoom;
      suf = suf.slice(0, sufRoom);
      const { kept, cut } = cutLeft(pre, room - suf.length);
      return { ids: [p, ...kept, s, ...suf, m], promptTokens: pre.length + suf.length + sufCut + 3, truncated: cut + sufCut, fim: true };
    }
    // A rendered chat template already holds its special tokens.
    const ids = templated ? this.tokenizer.encode(prompt, false) : this.encodePrompt(prompt);
    const { kept, cut } = cutLeft(ids, budget);
    return { ids: kept.length ? kept : ids.slice(-1), promptTokens: ids.length, truncated: cut, fim: false };
  }

  encodePrompt(prompt: string): number[] {
    const ids = this.tokenizer.encode(prompt, this.addSpecialTokens);
    if (ids.length > 0) return ids;
    if (this.tokenizer.bosId !== undefined) return [this.tokenizer.bosId];
    throw new HostError('BAD_REQUEST', 'The prompt is empty and this model has no BOS token to start from. Give it some text to continue.');
  }

  /** `check`: validate the feeds first (the prefill and first decode step; later steps only grow). */
  private async run(feeds: Record<string, ort.Tensor>, check: boolean): Promise<ort.InferenceSession.ReturnType> {
    if (check) checkFeeds(this.session, feeds, this.folder.onnxFile);
    try {
      return await this.session.run(feeds);
    } catch (e) {
      throw new HostError('INFERENCE_FAILED', `onnxruntime failed while running ${this.folder.onnxFile}: ${(e as Error).message.split('\n')[0]}`);
    }
  }

  /** One forward pass over `tokens` per row, after `pastLen` cached positions. */
  /** `logitsToKeep`: 1 = last position only (generation), 0 = every position (scoring). */
  private async step(tokens: number[][], past: ort.Tensor[], pastLen: number, check: boolean, logitsToKeep = 1): Promise<{ logits: ort.Tensor; present: ort.Tensor[] }> {
    const batch = tokens.length;
    const len = tokens[0].length;
    const L = this.layout;
    const feeds: Record<string, ort.Tensor> = { input_ids: int64(tokens.flat(), [batch, len]) };
    if (L.hasAttentionMask) feeds.attention_mask = filledInt64(1, [batch, pastLen + len]);
    if (L.hasPositionIds) {
      const pos: number[] = [];
      for (let b = 0; b < batch; b++) for (let i = 0; i < len; i++) pos.push(pastLen + i);
      feeds.position_ids = int64(pos, [batch, len]);
    }
    L.slots.forEach((s, i) => (feeds[s.input] = past[i]));
    if (L.hasUseCacheBranch) feeds.use_cache_branch = new ort.Tensor('bool', new Uint8Array([pastLen > 0 ? 1 : 0]), [1]);
    if (L.hasNumLogitsToKeep) feeds.num_logits_to_keep = new ort.Tensor('int64', new BigInt64Array([BigInt(logitsToKeep)]), []);
    const out = await this.run(feeds, check);
    return { logits: out.logits as ort.Tensor, present: L.slots.map((s) => out[s.output] as ort.Tensor) };
  }

  private emptyPast(batch: number): ort.Tensor[] {
    return this.layout.slots.map((s) => emptyKv(this.layout.kvType, kvDims(s, this.folder.model, batch, 0)));
  }

  /** One forward pass over the text (cut from the left to the context): top-1 and log-prob at each position. */
  async score(text: string): Promise<ScoreResult> {
    let ids = this.encodePrompt(text);
    const truncatedTokens = Math.max(0, ids.length - this.contextLength);
    ids = ids.slice(truncatedTokens);
    const recompute = this.layout.slots.length === 0;
    const { logits } = await this.step([ids], recompute ? [] : this.emptyPast(1), 0, true, 0);
    if (logits.dims[1] !== ids.length) throw new HostError('MODEL_UNSUPPORTED', 'This graph returns logits for the last position only, so it cannot score every token.');
    const predicted: number[] = [];
    const logprobs: number[] = [];
    for (let i = 0; i + 1 < ids.length; i++) {
      const row = logitsRow(logits, i, this.layout.vocabSize);
      let max = -Infinity;
      let arg = 0;
      for (let v = 0; v < row.length; v++) if (row[v] > max) [max, arg] = [row[v], v];
      let sum = 0;
      for (let v = 0; v < row.length; v++) sum += Math.exp(row[v] - max);
      predicted.push(arg);
      logprobs.push(row[ids[i + 1]] - max - Math.log(sum));
    }
    return { tokenIds: ids, predicted, logprobs, truncatedTokens };
  }

  async generate(
    prompt: string,
    options: GenerationOptions,
    onText: (sequence: number, text: string) => void,
    cancel: Cancellation,
    ep: GenerateResult['stats']['ep'],
    suffix?: string,
    templated = false,
  ): Promise<GenerateResult> {
    const t0 = performance.now();
    const o = this.resolveOptions(options);
    const maxNew = Math.max(1, Math.min(o.maxNewTokens, this.contextLength - 1));
    const built = this.buildPrompt(prompt, suffix, this.contextLength - maxNew, templated);
    const ids = built.ids;
    const promptTokensIn = built.promptTokens;
    const truncated = built.truncated;
    const recompute = this.layout.slots.length === 0;
    if (recompute && o.numReturnSequences > 1) {
      throw new HostError('MODEL_UNSUPPORTED', 'This model has no KV cache inputs, so it can only produce one sequence per request.');
    }

    // Reuse the longest shared prefix; at least one prompt token is always run to get logits.
    let reuse = 0;
    if (!recompute && this.cacheTokens.length > 0) {
      let p = 0;
      while (p < this.cacheTokens.length && p < ids.length && this.cacheTokens[p] === ids[p]) p++;
      reuse = Math.min(p, ids.length - 1);
    }
    let past = reuse > 0 ? this.cachePast.map((t, i) => sliceAxis(t, this.layout.slots[i].seqAxis, reuse)) : this.emptyPast(1);
    this.clearCache(); // a failed or cancelled run must not leave a cache that disagrees with its tokens

    cancel.steps = 0;
    let { logits, present } = await this.step([recompute ? ids : ids.slice(reuse)], past, recompute ? 0 : reuse, true);
    cancel.steps++;
    if (cancel.cancelled) throw cancelledError(cancel);
    // Tokens whose keys and values are in `past` (row 0); their count is the past length. It only
    // grows, so the reusable cache can hold it by reference instead of a copy per step.
    const fed = ids.slice();
    const n = o.numReturnSequences;
    if (!recompute) {
      this.cacheTokens = n === 1 ? fed : fed.slice();
      this.cachePast = present;
    }
    past = present.map((t) => repeatBatch(t, n));
    // Which position's logits to read: the last fed token (graphs with num_logits_to_keep return only it).
    let lastRow = (recompute ? ids.length : ids.length - reuse) - 1;

    const rng = new SeededRandom(o.seed);
    const generated: number[][] = Array.from({ length: n }, () => []);
    const reasons: (StopReason | undefined)[] = new Array(n).fill(undefined);
    const streams = Array.from({ length: n }, () => new StopTextStream(o.stop));
    let firstTokenAt = 0;
    const eos = new Set(this.tokenizer.eosIds);
    const needsHistory = o.repetitionPenalty !== 1 || o.noRepeatNgramSize > 0;
    const detok = Array.from({ length: n }, () => new IncrementalDecoder(this.tokenizer));
    for (let stepNo = 0; ; stepNo++) {
      const perRow = logits.dims[1];
      const next: number[] = [];
      for (let b = 0; b < n; b++) {
        if (reasons[b]) {
          next.push(generated[b].at(-1) ?? ids[ids.length - 1]);
          continue;
        }
        const row = logitsRow(logits, b * perRow + (perRow === 1 ? 0 : lastRow), this.layout.vocabSize);
        const history = needsHistory ? ids.concat(generated[b]) : NO_HISTORY;
        const tok = nextToken(row, history, o, rng);
        next.push(tok);
        if (eos.has(tok)) {
          reasons[b] = 'eos';
          continue;
        }
        generated[b].push(tok);
        const s = streams[b].update(detok[b].push(tok));
        if (s.delta) onText(b, s.delta);
        if (s.stopped) reasons[b] = 'stop';
      }
      if (stepNo === 0) firstTokenAt = performance.now();
      if (reasons.every((r) => r)) break;
      if (stepNo + 1 >= maxNew) {
        reasons.forEach((r, b) => (reasons[b] = r ?? 'length'));
        break;
      }
      if (cancel.cancelled) throw cancelledError(cancel);
      if (performance.now() - t0 > o.timeLimitMs) {
        reasons.forEach((r, b) => (reasons[b] = r ?? 'time'));
        break;
      }
      if (recompute) {
        // No KV inputs in this graph: run the whole sequence again (batch 1 only).
        fed.push(next[0]);
        ({ logits } = await this.step([fed], [], 0, false));
        lastRow = fed.length - 1;
      } else {
        const stepped = await this.step(next.map((t) => [t]), past, fed.length, stepNo === 0);
        ({ logits, present } = stepped);
        fed.push(next[0]);
        past = present;
        lastRow = 0;
        // With several sequences the cache keeps the shared prompt only.
        if (n === 1) this.cachePast = present;
      }
      cancel.steps++;
      if (cancel.cancelled) throw cancelledError(cancel);
    }
    for (let b = 0; b < n; b++) {
      if (reasons[b] !== 'stop') {
        const rest = streams[b].flush();
        if (rest) onText(b, rest);
      }
    }
    const end = performance.now();
    const newTokens = generated.reduce((a, g) => a + g.length, 0);
    const decodeTokens = generated[0].length - 1;
    return {
      texts: streams.map((s) => s.text),
      tokenIds: generated,
      stopReasons: reasons as StopReason[],
      stats: {
        promptTokens: promptTokensIn,
        reusedTokens: reuse,
        truncatedTokens: truncated,
        newTokens,
        timeToFirstTokenMs: firstTokenAt - t0,
        tokensPerSecond: decodeTokens > 0 ? (decodeTokens * n * 1000) / (end - firstTokenAt) : 0,
        totalMs: end - t0,
        ep,
        seed: o.seed,
        fim: built.fim,
      },
    };
  }
}
