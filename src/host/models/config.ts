/**
 * Every config.json key the host reads, normalised in one place: the names differ by family
 * (num_attention_heads / n_head, hidden_size / n_embd, n_positions / max_position_embeddings /
 * n_ctx) and "is this a decoder?" must get one answer whether the engine loads the model or a
 * picker only looks at its folder. onnxruntime-genai folders reach this too: genai.ts maps
 * genai_config.json onto the same keys first. No onnxruntime and no file access here, so the
 * extension's pickers can use it.
 */

export type Json = Record<string, unknown>;

export const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** What config.json says the model is, from architectures first, then model_type. */
export type DeclaredKind = 'decoder' | 'classifier' | 'encoder';

export interface ModelConfig {
  modelType: string | undefined;
  architectures: string[];
  /** undefined when config.json does not say; then the graph decides (see takesKvCache). */
  declared: DeclaredKind | undefined;
  /** Which keys declared it, in words ("architectures: GPT2LMHeadModel", "model_type gpt2"). */
  declaredBy: string | undefined;
  isDecoder: boolean;
  heads: number;
  kvHeads: number;
  hidden: number;
  headDim: number;
  /** Positions the model was trained for (n_positions, max_position_embeddings or n_ctx). */
  contextLength: number | undefined;
  vocabSize: number | undefined;
  /** Labels in id order from id2label (or label2id), transformers' default LABEL_i names included. */
  labels: string[] | undefined;
  multiLabel: boolean;
}

const DECODER_ARCH = /ForCausalLM$|LMHeadModel$/;
const CLASSIFIER_ARCH = /ForSequenceClassification$/;
/** Bare encoders as sentence-transformers and Optimum's feature-extraction exports name them. */
const ENCODER_ARCH = /^[A-Za-z0-9]+Model$/;
/** model_type values that are only ever decoders (for configs without architectures). */
const DECODER_TYPES = new Set([
  'gpt2', 'gpt_bigcode', 'gpt_neo', 'gpt_neox', 'gptj', 'llama', 'mistral', 'mixtral', 'qwen2', 'qwen3', 'phi', 'phi3', 'codegen',
  'starcoder2', 'gemma', 'gemma2', 'olmo', 'stablelm', 'falcon', 'bloom', 'opt', 'granite', 'smollm3',
]);

function declaredKind(architectures: string[], modelType: string | undefined): [DeclaredKind, string] | undefined {
  const byArch = `architectures: ${architectures.join(', ')}`;
  if (architectures.some((a) => DECODER_ARCH.test(a))) return ['decoder', byArch];
  if (architectures.some((a) => CLASSIFIER_ARCH.test(a))) return ['classifier', byArch];
  if (architectures.some((a) => ENCODER_ARCH.test(a))) return ['encoder', byArch];
  if (modelType && DECODER_TYPES.has(modelType)) return ['decoder', `model_type ${modelType}`];
  return undefined;
}

/** Labels from id2label (in id order) or label2id. */
function labelsOf(config: Json): string[] | undefined {
  const id2label = config.id2label;
  let labels: string[] = [];
  if (id2label && typeof id2label === 'object' && !Array.isArray(id2label)) {
    labels = Object.entries(id2label as Json)
      .filter((e): e is [string, string] => typeof e[1] === 'string')
      .sort((a, b) => Number(a[0]) - Number(b[0]))
      .map(([, l]) => l);
  }
  const label2id = config.label2id;
  if (labels.length === 0 && label2id && typeof label2id === 'object' && !Array.isArray(label2id)) {
    labels = Object.entries(label2id as Json)
      .filter((e): e is [string, number] => typeof e[1] === 'number')
      .sort((a, b) => a[1] - b[1])
      .map(([l]) => l);
  }
  return labels.length > 0 ? labels : undefined;
}

/** config.json (or a genai folder's mapped config) with its keys normalised. */
export function modelConfig(config: Json): ModelConfig {
  const modelType = str(config.model_type);
  const architectures = Array.isArray(config.architectures) ? config.architectures.filter((a): a is string => typeof a === 'string') : [];
  const [declared, declaredBy] = declaredKind(architectures, modelType) ?? [];
  const heads = num(config.num_attention_heads) ?? num(config.n_head) ?? 1;
  const hidden = num(config.hidden_size) ?? num(config.n_embd) ?? 0;
  return {
    modelType,
    architectures,
    declared,
    declaredBy,
    isDecoder: declared === 'decoder',
    heads,
    kvHeads: num(config.num_key_value_heads) ?? (config.multi_query === true ? 1 : heads),
    hidden,
    headDim: num(config.head_dim) ?? (hidden && heads ? hidden / heads : 0),
    contextLength: num(config.n_positions) ?? num(config.max_position_embeddings) ?? num(config.n_ctx),
    vocabSize: num(config.vocab_size),
    labels: labelsOf(config),
    multiLabel: config.problem_type === 'multi_label_classification',
  };
}

/** A graph that takes or returns a KV cache (Optimum or onnxruntime-genai names) is a decoder. */
export function takesKvCache(inputs: readonly string[], outputs: readonly string[]): boolean {
  return inputs.some((n) => n.startsWith('past_key_values.') || /^past_(key|value)_\d+$/.test(n)) || outputs.some((n) => n.startsWith('present.'));
}

/**
 * Decoder or not, the one rule: what config.json declares, else the graph's KV cache. The
 * engine asks it after loading; model pickers ask it from the folder alone.
 */
export function isDecoderModel(config: ModelConfig, graph: { inputs: readonly string[]; outputs: readonly string[] }): boolean {
  return config.declared ? config.isDecoder : takesKvCache(graph.inputs, graph.outputs);
}
