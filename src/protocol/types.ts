/**
 * The one contract between the extension (or CLI), the inference host and the webview.
 * No `vscode` import here: the host and the CLI share it.
 */

export const EXECUTION_PROVIDERS = ['auto', 'cpu', 'cuda', 'dml', 'webgpu'] as const;
export type ExecutionProvider = (typeof EXECUTION_PROVIDERS)[number];
/** A provider a session actually runs on (never 'auto'). */
export type ConcreteProvider = Exclude<ExecutionProvider, 'auto'>;

export type ModelTask = 'text-generation' | 'text-classification' | 'feature-extraction';

export interface GenerationOptions {
  maxNewTokens?: number;
  /** false = greedy; defaults to generation_config.json's do_sample, or true when a temperature > 0 is given. */
  doSample?: boolean;
  temperature?: number;
  topK?: number;
  topP?: number;
  repetitionPenalty?: number;
  noRepeatNgramSize?: number;
  stop?: string[];
  numReturnSequences?: number;
  /** Same seed and inputs give the same output. */
  seed?: number;
  /** Stop after this many milliseconds of decoding (inline completions cap their latency this way). */
  timeLimitMs?: number;
}

export interface LoadParams {
  modelPath: string;
  ep?: ExecutionProvider;
  /** Intra-op threads; 0 or absent = chosen from the core count. */
  threads?: number;
  /** A file under onnx/ to load instead of the default choice (e.g. model_quantized.onnx). */
  onnxFile?: string;
}

export interface ModelInfo {
  modelPath: string;
  task: ModelTask;
  modelType: string;
  onnxFile: string;
  ep: ConcreteProvider;
  /** Why a provider earlier in the preference order was not used. */
  fallbacks: string[];
  inputNames: string[];
  outputNames: string[];
  labels?: string[];
  contextLength: number;
  /** The model knows fill-in-the-middle tokens (StarCoder, Qwen2.5-Coder, CodeLlama or this project's style). */
  fim: boolean;
  /** tokenizer_config.json has a chat template (instruct models). */
  chat: boolean;
  threads: number;
  loadMs: number;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface GenerateParams extends LoadParams {
  /** The text to continue; with `suffix`, the text before the cursor. Ignored when `messages` is given. */
  prompt: string;
  /** A conversation for an instruct model: rendered with its chat template, ending with the assistant's turn. */
  messages?: ChatMessage[];
  /**
   * Text after the cursor. With a model that has fill-in-the-middle tokens the engine builds a
   * FIM prompt; otherwise the suffix is ignored (prefix-only completion).
   */
  suffix?: string;
  options?: GenerationOptions;
}

export type StopReason = 'eos' | 'stop' | 'length' | 'time' | 'cancelled';

export interface GenerateStats {
  promptTokens: number;
  /** Prompt tokens whose KV cache was reused from the previous request on this model. */
  reusedTokens: number;
  /** Prompt tokens dropped from the left because the prompt did not fit the context. */
  truncatedTokens: number;
  newTokens: number;
  timeToFirstTokenMs: number;
  tokensPerSecond: number;
  totalMs: number;
  ep: ConcreteProvider;
  seed: number;
  /** True when the prompt was built as fill-in-the-middle. */
  fim: boolean;
}

export interface GenerateResult {
  texts: string[];
  /** The generated token ids per sequence (before any stop-sequence cut), EOS excluded. */
  tokenIds: number[][];
  stopReasons: StopReason[];
  stats: GenerateStats;
}

export interface TokenEvent {
  type: 'token';
  /** Which of numReturnSequences this text belongs to. */
  sequence: number;
  /** Newly decoded text (complete characters only, never part of a stop sequence). */
  text: string;
}

/** modelPath: a classifier's folder, or a few-shot classifier's .json file. */
export interface ClassifyParams extends LoadParams {
  texts: string[];
  /** How many labels per text, best first; absent = all. */
  topK?: number;
}

export interface LabelScore {
  label: string;
  score: number;
}

export interface ClassifyResult {
  results: LabelScore[][];
  stats: { texts: number; totalMs: number; ep: ConcreteProvider; truncated: number };
}

export interface EmbedParams extends LoadParams {
  texts: string[];
  normalize?: boolean;
}

export interface EmbedResult {
  vectors: number[][];
  dim: number;
  stats: { texts: number; totalMs: number; ep: ConcreteProvider };
}

export interface ZeroShotParams extends LoadParams {
  texts: string[];
  /** The user's labels, in their order. */
  labels: string[];
  /** NLI hypothesis with {} for the label; default "This example is {}.". */
  template?: string;
  /** Score each label on its own (entailment vs contradiction) instead of one softmax over labels. */
  multiLabel?: boolean;
}

export interface ZeroShotResult {
  /** Per text, every label best first. */
  results: LabelScore[][];
  /** 'nli' with an entailment model, 'similarity' (embedding cosine) with any other encoder. */
  mode: 'nli' | 'similarity';
  stats: { texts: number; labels: number; totalMs: number; ep: ConcreteProvider; truncated: number };
}

export interface LabelledText {
  text: string;
  label: string;
}

export const FEW_SHOT_FORMAT = 'onnx-assist/few-shot-classifier@1';

/**
 * A classifier taught from examples: a logistic-regression head over an encoder's mean-pooled,
 * L2-normalised embeddings. Saved as JSON; `classify` takes its path like a model folder.
 */
export interface FewShotClassifier {
  format: typeof FEW_SHOT_FORMAT;
  name: string;
  /** The encoder whose embeddings the head was trained on. */
  encoder: { modelPath: string; onnxFile: string; modelType: string; dim: number };
  labels: string[];
  /** Per-feature standardisation applied before the head. */
  mean: number[];
  scale: number[];
  /** weights[k]: the weight vector of labels[k]. */
  weights: number[][];
  bias: number[];
  examples: Record<string, number>;
  crossValidation: CrossValidation;
  createdAt: string;
}

export interface CrossValidation {
  folds: number;
  /** Mean accuracy over folds (each example predicted by a head that never saw it). */
  accuracy: number;
  foldAccuracy: number[];
  /** Counted over all held-out predictions. */
  confusion: { labels: string[]; matrix: number[][] };
}

export interface TrainClassifierParams extends LoadParams {
  /** Used as the classifier's name. */
  name: string;
  examples: LabelledText[];
  /** k for k-fold cross-validation; default min(5, smallest class count). */
  folds?: number;
  /** L2 regularisation strength; default 1e-3. */
  l2?: number;
}

export interface TrainClassifierResult {
  classifier: FewShotClassifier;
  stats: { examples: number; embedMs: number; trainMs: number; ep: ConcreteProvider };
}

export interface ScoreParams extends LoadParams {
  text: string;
}

/** Teacher-forced scoring of a text in one forward pass (evaluation, ranking candidates). */
export interface ScoreResult {
  tokenIds: number[];
  /** predicted[i]: the model's top-1 token after tokenIds[0..i], i.e. its guess for tokenIds[i+1]. */
  predicted: number[];
  /** logprobs[i]: log-probability of tokenIds[i+1] after tokenIds[0..i]. */
  logprobs: number[];
  /** Tokens cut from the left to fit the context. */
  truncatedTokens: number;
}

export interface HostStatus {
  models: ModelInfo[];
  ortVersion: string;
  backends: { name: string; bundled: boolean; installed: boolean }[];
  /** Every provider a user can choose, whether it would run here, and why not. */
  providers: { ep: ExecutionProvider; available: boolean; reason?: string }[];
  threads: number;
  memory: { rssMB: number; heapUsedMB: number; externalMB: number };
  uptimeMs: number;
  platform: string;
}

/** Local completion counters as shown in the panel. */
export interface CompletionCountsWire {
  shown: number;
  accepted: number;
  acceptedChars: number;
}

/** Every request the host serves: method -> [params, result]. */
export interface HostMethods {
  load: [LoadParams, ModelInfo];
  unload: [{ modelPath: string }, { unloaded: boolean }];
  generate: [GenerateParams, GenerateResult];
  classify: [ClassifyParams, ClassifyResult];
  embed: [EmbedParams, EmbedResult];
  zeroShot: [ZeroShotParams, ZeroShotResult];
  trainClassifier: [TrainClassifierParams, TrainClassifierResult];
  score: [ScoreParams, ScoreResult];
  status: [Record<string, never>, HostStatus];
  shutdown: [Record<string, never>, Record<string, never>];
}
export type Method = keyof HostMethods;
export type ParamsOf<M extends Method> = HostMethods[M][0];
export type ResultOf<M extends Method> = HostMethods[M][1];

export type HostEvent = TokenEvent;

export const ERROR_CODES = [
  'BAD_REQUEST',
  'MODEL_NOT_FOUND',
  'MODEL_INVALID',
  'MODEL_UNSUPPORTED',
  'EP_UNAVAILABLE',
  'INFERENCE_FAILED',
  'CANCELLED',
  'HOST_DIED',
  'HOST_SHUTDOWN',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface WireError {
  code: ErrorCode;
  message: string;
  /** For CANCELLED generations: forward passes done when the cancel arrived, and when the loop stopped. */
  cancel?: CancelTrace;
}

export interface CancelTrace {
  receivedAtStep: number;
  stoppedAtStep: number;
}

/** Client -> host. */
export type ClientMessage =
  | { kind: 'request'; id: number; method: Method; params: unknown }
  | { kind: 'cancel'; id: number };

/** Host -> client. */
export type HostMessage =
  | { kind: 'ready'; ortVersion: string }
  | { kind: 'event'; id: number; event: HostEvent }
  | { kind: 'response'; id: number; result: unknown }
  | { kind: 'error'; id: number; error: WireError }
  | { kind: 'log'; level: 'info' | 'warn' | 'error'; message: string };
