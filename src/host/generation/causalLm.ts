/**
 * Text generation with the project's own decode loop over onnxruntime: reuse of the longest
 * shared prefix with the previous request's KV cache, several sequences from one prefill,
 * streaming, stop rules, cancellation between decode steps. What the loop is fed comes from
 * its neighbours: prompt.ts (prompt ids), options.ts (settings), kvLayout.ts (cache layout).
 */
import * as ort from 'onnxruntime-node';
import { HostError } from '../../protocol/errors';
import type { ChatMessage, GenerateResult, GenerationOptions, ScoreResult, StopReason } from '../../protocol/types';
import { cancelledError, type Cancellation } from '../cancellation';
import { num } from '../models/config';
import type { ModelFolder } from '../models/folder';
import type { ChatTemplate } from '../runtime/chatTemplate';
import { checkFeeds, type CreatedSession } from '../runtime/session';
import { filledInt64, int64, logitsRow, repeatBatch, sliceAxis } from '../runtime/tensors';
import type { ModelTokenizer } from '../runtime/tokenizer';
import { IncrementalDecoder } from './detokenizer';
import { emptyPast, readLayout, type LmLayout } from './kvLayout';
import { resolveOptions } from './options';
import { PromptBuilder, type PromptText } from './prompt';
import { nextToken, SeededRandom } from './sampling';
import { StopTextStream } from './stopping';

const NO_HISTORY: readonly number[] = [];

/** One generation: the text (or a conversation), its options, and where the text streams to. */
export interface GenerateRequest {
  /** The text to continue; with `suffix`, the text before the cursor. Ignored when `messages` is given. */
  prompt: string;
  suffix?: string;
  /** A conversation, rendered with the model's chat template. */
  messages?: ChatMessage[];
  options: GenerationOptions;
  onText: (sequence: number, text: string) => void;
  cancel: Cancellation;
  /** The provider running the model, reported in the stats. */
  ep: GenerateResult['stats']['ep'];
}

export class CausalLM {
  readonly layout: LmLayout;
  readonly contextLength: number;
  /** Tokens whose keys and values are in `cachePast`, for prefix reuse by the next request. */
  private cacheTokens: number[] = [];
  private cachePast: ort.Tensor[] = [];
  private readonly prompts: PromptBuilder;

  constructor(
    private readonly created: CreatedSession,
    private readonly folder: ModelFolder,
    readonly tokenizer: ModelTokenizer,
  ) {
    this.layout = readLayout(created.session, folder.model, folder.kvNames);
    if (!this.layout.vocabSize) this.layout.vocabSize = tokenizer.vocabSize;
    this.contextLength = folder.model.contextLength ?? num(folder.tokenizerConfig.model_max_length) ?? 2048;
    this.prompts = new PromptBuilder(tokenizer, folder.tokenizerConfig, folder.dir);
  }

  /** The instruct model's chat template, when tokenizer_config.json has one. */
  get chat(): ChatTemplate | undefined {
    return this.prompts.chat;
  }

  get session(): ort.InferenceSession {
    return this.created.session;
  }

  /** Drops the reusable KV cache (on unload, or when memory matters). */
  clearCache(): void {
    this.cacheTokens = [];
    this.cachePast = [];
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

  /**
   * One forward pass over `tokens` per row, after `pastLen` cached positions. `check`: validate
   * the feeds; `allLogits`: logits at every position (scoring), else the last one only.
   */
  private async step(tokens: number[][], past: ort.Tensor[], pastLen: number, mode: { check: boolean; allLogits?: boolean }): Promise<{ logits: ort.Tensor; present: ort.Tensor[] }> {
    const logitsToKeep = mode.allLogits ? 0 : 1;
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
    const out = await this.run(feeds, mode.check);
    return { logits: out.logits as ort.Tensor, present: L.slots.map((s) => out[s.output] as ort.Tensor) };
  }

  private emptyPast(batch: number): ort.Tensor[] {
    return emptyPast(this.layout, this.folder.model, batch);
  }

  /** One forward pass over the text (cut from the left to the context): top-1 and log-prob at each position. */
  async score(text: string): Promise<ScoreResult> {
    let ids = this.prompts.encode(text);
    const truncatedTokens = Math.max(0, ids.length - this.contextLength);
    ids = ids.slice(truncatedTokens);
    const recompute = this.layout.slots.length === 0;
    const { logits } = await this.step([ids], recompute ? [] : this.emptyPast(1), 0, { check: true, allLogits: true });
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

  async generate(req: GenerateRequest): Promise<GenerateResult> {
    const { onText, cancel } = req;
    // A conversation is rendered first, so a model without a chat template fails before anything else.
    const text: PromptText = req.messages ? { prompt: this.prompts.chatPrompt(req.messages), templated: true } : { prompt: req.prompt, suffix: req.suffix, templated: false };
    const t0 = performance.now();
    const o = resolveOptions(req.options, this.folder.generationConfig);
    const maxNew = Math.max(1, Math.min(o.maxNewTokens, this.contextLength - 1));
    const built = this.prompts.build(text, this.contextLength - maxNew);
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
    let { logits, present } = await this.step([recompute ? ids : ids.slice(reuse)], past, recompute ? 0 : reuse, { check: true });
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
        ({ logits } = await this.step([fed], [], 0, { check: false }));
        lastRow = fed.length - 1;
      } else {
        const stepped = await this.step(next.map((t) => [t]), past, fed.length, { check: stepNo === 0 });
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
        ep: req.ep,
        seed: o.seed,
        fim: built.fim,
      },
    };
  }
}
