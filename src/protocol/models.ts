/**
 * Loading a model, the providers it can run on, and what the host reports about itself: the
 * `load`, `unload` and `status` methods' shapes, and the load fields every model request carries.
 */

export const EXECUTION_PROVIDERS = ['auto', 'cpu', 'cuda', 'dml', 'webgpu'] as const;
export type ExecutionProvider = (typeof EXECUTION_PROVIDERS)[number];
/** A provider a session actually runs on (never 'auto'). */
export type ConcreteProvider = Exclude<ExecutionProvider, 'auto'>;

export type ModelTask = 'text-generation' | 'text-classification' | 'feature-extraction';

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
