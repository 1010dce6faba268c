/**
 * Text generation with the project's own decode loop over onnxruntime: reuse of the longest
 * shared prefix with the previous request's KV cache (warmed ahead by `prefill`, kept chunk by
 * chunk), several sequences from one prefill, lossless speculative decoding by prompt lookup
 * (promptLookup.ts), streaming, stop rules and scope, cancellation between forward passes. What the loop is fed comes from
 * its neighbours: prompt.ts (prompt ids), options.ts (settings), kvLayout.ts (cache layout).
 */
import * as ort from 'onnxruntime-node';
import { HostError } from '../../protocol/errors';
import type { ChatMessage, ContextChunk, GenerateResult, GenerationOptions, PrefillResult, ScoreResult, StopReason } from '../../protocol/types';
import { cancelledError, type Cancellation } from '../cancellation';
import { num } from '../models/config';
import type { ModelFolder } from '../models/folder';
import { DYNAMIC_ACTIVATION_QUANTIZATION } from '../models/onnxScan';
import type { ChatTemplate } from '../runtime/chatTemplate';
import { checkFeeds, type CreatedSession } from '../runtime/session';
import { filledInt64, int64, logitsRow, repeatBatch, sliceAxis } from '../runtime/tensors';
import type { ModelTokenizer } from '../runtime/tokenizer';
import { IncrementalDecoder } from './detokenizer';
import { emptyPast, readLayout, type LmLayout } from './kvLayout';
import { resolveOptions } from './options';
import { PromptBuilder, type PromptText } from './prompt';
import { nextToken, SeededRandom } from './sampling';
import { DraftLength, draftByLookup } from './promptLookup';
import { StopTextStream, type ScopeRule } from './stopping';

const NO_HISTORY: readonly number[] = [];
/** Prompt tokens per forward pass: the most a keystroke waits before pre-empting a prefill. */
const PREFILL_CHUNK = 128;
/** Outputs kept as a draft source for prompt lookup, each after the last prompt tokens it followed. */
const RECENT_OUTPUTS = 8;
const RECENT_LEAD = 8;

/** One generation: the text (or a conversation), its options, and where the text streams to. */
export interface GenerateRequest {
  /** The text to continue; with `suffix`, the text before the cursor. Ignored when `messages` is given. */
  prompt: string;
  suffix?: string;
  /** A conversation, rendered with the model's chat template. */
  messages?: ChatMessage[];
  /** Chunks of other project files, put before the prompt, and the current file's path. */
  context?: ContextChunk[];
  filePath?: string;
  repoName?: string;
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
  /** Recent generated sequences, newest first: a draft source for prompt lookup. */
  private recentOutputs: number[][] = [];
  /** Set when this graph turned out to return only the last position's logits (no draft verification). */
  private cannotVerify = false;
  /**
   * Whether a forward pass over several positions gives each the logits it would get alone. Not
   * with dynamic activation quantization (int8 MatMulInteger exports): the scale is computed over
   * the whole pass, so drafting is off by default there (measured: a 0.5B int8 model's greedy
   * output parted from plain decoding at the 6th token).
   */
  readonly exactVerify: boolean;

  constructor(
    private readonly created: CreatedSession,
    private readonly folder: ModelFolder,
    readonly tokenizer: ModelTokenizer,
  ) {
    this.layout = readLayout(created.session, folder.model, folder.kvNames);
    if (!this.layout.vocabSize) this.layout.vocabSize = tokenizer.vocabSize;
    this.contextLength = folder.model.contextLength ?? num(folder.tokenizerConfig.model_max_length) ?? 2048;
    this.prompts = new PromptBuilder(tokenizer, folder.tokenizerConfig, folder.dir);
    this.exactVerify = !DYNAMIC_ACTIVATION_QUANTIZATION.some((op) => folder.opTypes.has(op));
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
    this.recentOutputs = [];
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
   * the feeds; `allLogits`: logits at every position (scoring), else the last `keepLogits`
   * (default 1; graphs without num_logits_to_keep return every position anyway).
   */
  private async step(tokens: number[][], past: ort.Tensor[], pastLen: number, mode: { check: boolean; allLogits?: boolean; keepLogits?: number }): Promise<{ logits: ort.Tensor; present: ort.Tensor[] }> {
    const logitsToKeep = mode.allLogits ? 0 : (mode.keepLogits ?? 1);
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

  /** Prompt tokens of a conversation rendered as generate renders it (before any truncation), and of each text alone. */
  countTokens(messages: ChatMessage[] | undefined, texts: string[]): { messages?: number; texts: number[] } {
    const counted = texts.map((t) => this.tokenizer.encode(t, false).length);
    if (!messages) return { texts: counted };
    return { messages: this.tokenizer.encode(this.prompts.chatPrompt(messages), false).length, texts: counted };
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

  /**
   * The longest cached prefix shared with `ids` (at most `limit` tokens), and the past holding
   * it. The cache is dropped when nothing is shared: its tensors are not needed any more.
   */
  private reusable(ids: readonly number[], limit: number): { reuse: number; past: ort.Tensor[] } {
    let p = 0;
    while (p < this.cacheTokens.length && p < ids.length && this.cacheTokens[p] === ids[p]) p++;
    const reuse = Math.min(p, limit);
    if (reuse === 0) return { reuse, past: this.emptyPast(1) };
    return { reuse, past: this.cachePast.map((t, i) => sliceAxis(t, this.layout.slots[i].seqAxis, reuse)) };
  }

  /**
   * Feeds `ids[from..]` after a past of `from` positions, PREFILL_CHUNK tokens per forward pass.
   * Each finished chunk goes into the reusable cache at once, so work pre-empted between chunks
   * (a keystroke's request cancels the warm-up, or an older completion) is not lost: the next
   * request starts where it stopped. Returns undefined when `cancel` was set between chunks.
   */
  private async feedPrompt(ids: readonly number[], from: number, past: ort.Tensor[], cancel: Cancellation): Promise<{ logits: ort.Tensor; rows: number; present: ort.Tensor[] } | undefined> {
    let at = from;
    for (;;) {
      const end = Math.min(ids.length, at + PREFILL_CHUNK);
      const out = await this.step([ids.slice(at, end)], past, at, { check: at === from });
      cancel.steps = (cancel.steps ?? 0) + 1;
      past = out.present;
      this.cacheTokens = ids.slice(0, end);
      this.cachePast = past;
      if (end === ids.length) return { logits: out.logits, rows: end - at, present: past };
      at = end;
      if (cancel.cancelled) return undefined;
    }
  }

  /**
   * Warms the reusable cache with the prompt the next completion will build (same text, context
   * and token budget), so that it runs only what the user typed since. Stops between chunks when
   * pre-empted; what was done stays cached.
   */
  async prefill(text: PromptText, maxNewTokens: number | undefined, cancel: Cancellation): Promise<PrefillResult> {
    const o = resolveOptions({ maxNewTokens }, this.folder.generationConfig);
    const maxNew = Math.max(1, Math.min(o.maxNewTokens, this.contextLength - 1));
    const { ids, promptTokens } = this.prompts.build(text, this.contextLength - maxNew);
    if (this.layout.slots.length === 0) return { promptTokens, reusedTokens: 0, cachedTokens: 0, preempted: false };
    const { reuse, past } = this.reusable(ids, ids.length);
    if (reuse === ids.length) return { promptTokens, reusedTokens: reuse, cachedTokens: reuse, preempted: false };
    if (cancel.cancelled) return { promptTokens, reusedTokens: reuse, cachedTokens: reuse, preempted: true };
    const done = await this.feedPrompt(ids, reuse, past, cancel);
    return { promptTokens, reusedTokens: reuse, cachedTokens: this.cacheTokens.length, preempted: !done };
  }

  async generate(req: GenerateRequest): Promise<GenerateResult> {
    const { onText, cancel } = req;
    // A conversation is rendered first, so a model without a chat template fails before anything else.
    const text: PromptText = req.messages
      ? { prompt: this.prompts.chatPrompt(req.messages), templated: true }
      : { prompt: req.prompt, suffix: req.suffix, templated: false, context: req.context, path: req.filePath, repo: req.repoName };
    const t0 = performance.now();
    const o = resolveOptions(req.options, this.folder.generationConfig);
    const maxNew = Math.max(1, Math.min(o.maxNewTokens, this.contextLength - 1));
    const built = this.prompts.build(text, this.contextLength - maxNew);
    const ids = built.ids;
    const recompute = this.layout.slots.length === 0;
    const n = o.numReturnSequences;
    if (recompute && n > 1) {
      throw new HostError('MODEL_UNSUPPORTED', 'This model has no KV cache inputs, so it can only produce one sequence per request.');
    }
    cancel.steps = 0;

    // The prompt: after the longest cached prefix (at least one token is always run, for its logits).
    let reuse = 0;
    let logits: ort.Tensor;
    let lastRow: number;
    let past: ort.Tensor[] = [];
    if (recompute) {
      ({ logits } = await this.step([ids], [], 0, { check: true }));
      cancel.steps++;
      lastRow = ids.length - 1;
    } else {
      const cached = this.reusable(ids, ids.length - 1);
      reuse = cached.reuse;
      const fedPrompt = await this.feedPrompt(ids, reuse, cached.past, cancel);
      if (!fedPrompt) throw cancelledError(cancel);
      ({ logits } = fedPrompt);
      lastRow = fedPrompt.rows - 1;
      // With several sequences the cache keeps the shared prompt only.
      if (n > 1) this.cacheTokens = this.cacheTokens.slice();
      past = fedPrompt.present.map((t) => repeatBatch(t, n));
    }
    if (cancel.cancelled) throw cancelledError(cancel);

    // Tokens whose keys and values are in `past` (row 0); their count is the past length.
    const fed = ids.slice();
    if (n === 1 && !recompute) this.cacheTokens = fed;
    const rng = new SeededRandom(o.seed);
    const generated: number[][] = Array.from({ length: n }, () => []);
    const reasons: (StopReason | undefined)[] = new Array(n).fill(undefined);
    const scope: ScopeRule | undefined = o.scope ? { scope: o.scope, blockIndent: o.blockIndent ?? 0 } : undefined;
    const streams = Array.from({ length: n }, () => new StopTextStream(o.stop, scope));
    const eos = new Set(this.tokenizer.eosIds);
    const needsHistory = o.repetitionPenalty !== 1 || o.noRepeatNgramSize > 0;
    const detok = Array.from({ length: n }, () => new IncrementalDecoder(this.tokenizer));

    /** The next token of sequence `b` from one row of logits (EOS masked until minNewTokens). */
    const pick = (b: number, row: Float32Array): number => {
      if (generated[b].length < o.minNewTokens) for (const e of eos) if (e < row.length) row[e] = -Infinity;
      return nextToken(row, needsHistory ? ids.concat(generated[b]) : NO_HISTORY, o, rng);
    };
    /** Takes a chosen token into sequence `b`: streams its text and returns true when the sequence ends. */
    const take = (b: number, tok: number): boolean => {
      if (eos.has(tok)) {
        reasons[b] = 'eos';
        return true;
      }
      generated[b].push(tok);
      const st = streams[b].update(detok[b].push(tok));
      if (st.delta) onText(b, st.delta);
      if (st.stopped) reasons[b] = 'stop';
      else if (generated[b].length >= maxNew) reasons[b] = 'length';
      return reasons[b] !== undefined;
    };

    // The first token of each sequence, from the prompt's last position.
    const perRow0 = logits.dims[1];
    const pending: number[] = [];
    for (let b = 0; b < n; b++) {
      const tok = pick(b, logitsRow(logits, b * perRow0 + (perRow0 === 1 ? 0 : lastRow), this.layout.vocabSize));
      pending.push(tok);
      take(b, tok);
    }
    const firstTokenAt = performance.now();

    // Prompt lookup drafts where it can: greedy, one sequence, a KV cache; by default only where
    // verifying several positions in one pass is exact (not with dynamic activation quantization).
    const wanted = o.speculative === 'prompt-lookup' || (o.speculative === 'auto' && this.exactVerify);
    let drafting = wanted && !o.doSample && n === 1 && !recompute && !this.cannotVerify;
    const draftLength = new DraftLength();
    let draftTokens = 0;
    let acceptedDraftTokens = 0;
    let decodeSteps = 0;
    let firstDecode = true;
    while (!reasons.every((r) => r)) {
      if (cancel.cancelled) throw cancelledError(cancel);
      if (performance.now() - t0 > o.timeLimitMs) {
        reasons.forEach((r, b) => (reasons[b] = r ?? 'time'));
        break;
      }
      if (recompute) {
        // No KV inputs in this graph: run the whole sequence again (batch 1 only).
        fed.push(pending[0]);
        ({ logits } = await this.step([fed], [], 0, { check: false }));
        decodeSteps++;
        cancel.steps++;
        pending[0] = pick(0, logitsRow(logits, fed.length - 1, this.layout.vocabSize));
        take(0, pending[0]);
        continue;
      }
      const draft = drafting ? draftByLookup(fed.concat(pending[0]), Math.min(draftLength.value, maxNew - generated[0].length - 1), this.recentOutputs) : [];
      const width = 1 + draft.length;
      const head = pending[0];
      const stepped = await this.step(
        pending.map((t) => [t, ...draft]),
        past,
        fed.length,
        { check: firstDecode, keepLogits: width },
      );
      firstDecode = false;
      decodeSteps++;
      cancel.steps++;
      const perRow = stepped.logits.dims[1];
      if (draft.length > 0 && perRow !== width) {
        // This graph returns the last position's logits only: it cannot verify a draft. Drop the
        // step's positions and decode plainly from here on (and on later requests).
        this.cannotVerify = true;
        drafting = false;
        continue;
      }
      // Verify the draft: each position's token is what plain decoding would pick there.
      let accepted = 0;
      for (let j = 0; j < width; j++) {
        let ended = false;
        for (let b = 0; b < n; b++) {
          if (reasons[b]) continue;
          const tok = pick(b, logitsRow(stepped.logits, b * perRow + j, this.layout.vocabSize));
          pending[b] = tok;
          ended = take(b, tok) || ended;
        }
        if (ended || j === draft.length || pending[0] !== draft[j]) break;
        accepted++;
      }
      draftTokens += draft.length;
      acceptedDraftTokens += accepted;
      draftLength.update(draft.length, accepted);
      // Keep the keys and values of what was fed and agreed with; roll back past the rest.
      const keep = fed.length + 1 + accepted;
      past = accepted === draft.length ? stepped.present : stepped.present.map((t, i) => sliceAxis(t, this.layout.slots[i].seqAxis, keep));
      fed.push(head, ...draft.slice(0, accepted));
      if (n === 1) {
        this.cacheTokens = fed;
        this.cachePast = past;
      }
    }
    for (let b = 0; b < n; b++) {
      if (reasons[b] !== 'stop') {
        const rest = streams[b].flush();
        if (rest) onText(b, rest);
      }
    }
    if (n === 1 && generated[0].length > 0) this.remember(ids.slice(-RECENT_LEAD).concat(generated[0]));
    const end = performance.now();
    const newTokens = generated.reduce((a, g) => a + g.length, 0);
    const decodeTokens = generated[0].length - 1;
    return {
      texts: streams.map((st) => st.text),
      tokenIds: generated,
      stopReasons: reasons as StopReason[],
      stats: {
        promptTokens: built.promptTokens,
        reusedTokens: reuse,
        truncatedTokens: built.truncated,
        newTokens,
        timeToFirstTokenMs: firstTokenAt - t0,
        tokensPerSecond: decodeTokens > 0 ? (decodeTokens * n * 1000) / (end - firstTokenAt) : 0,
        totalMs: end - t0,
        ep: req.ep,
        seed: o.seed,
        fim: built.fim,
        draftTokens,
        acceptedDraftTokens,
        decodeSteps,
        contextChunks: built.contextChunks,
        contextTokens: built.contextTokens,
      },
    };
  }

  /** Recent outputs are a draft source: the next suggestion often repeats part of the last one. */
  private remember(tokens: number[]): void {
    this.recentOutputs.unshift(tokens);
    this.recentOutputs.length = Math.min(this.recentOutputs.length, RECENT_OUTPUTS);
  }
}
