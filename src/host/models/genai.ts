/**
 * onnxruntime-genai model folders (Microsoft's AI Toolkit, Foundry Local): genai_config.json
 * describes the decoder graph, its file and the names of its inputs and outputs, such as
 * `past_key_values.%d.key` or `past_%d`. This maps it onto what the engine reads from config.json.
 */
import { HostError } from '../../protocol/errors';
import { num, str, type Json } from './config';

/** KV tensor name templates with %d for the layer (present only for genai folders). */
export interface KvNames {
  pastKey: string;
  pastValue: string;
  presentKey: string;
  presentValue: string;
}

export interface GenaiMapping {
  config: Json;
  generationConfig: Json;
  onnxFile: string;
  kvNames: KvNames;
}

export function mapGenaiConfig(g: Json, file: string): GenaiMapping {
  const model = (g.model ?? {}) as Json;
  const decoder = (model.decoder ?? {}) as Json;
  const inputs = (decoder.inputs ?? {}) as Json;
  const outputs = (decoder.outputs ?? {}) as Json;
  const onnxFile = str(decoder.filename);
  if (!onnxFile) throw new HostError('MODEL_INVALID', `${file} names no model.decoder.filename.`);
  for (const [k, want] of [['input_ids', 'input_ids'], ['attention_mask', 'attention_mask'], ['position_ids', 'position_ids']] as const) {
    const given = str(inputs[k]);
    if (given !== undefined && given !== want) throw new HostError('MODEL_UNSUPPORTED', `${file} renames ${k} to "${given}"; only the KV cache names may differ.`);
  }
  if (str(outputs.logits) !== undefined && outputs.logits !== 'logits') throw new HostError('MODEL_UNSUPPORTED', `${file} renames logits to "${String(outputs.logits)}".`);
  const kvNames: KvNames = {
    pastKey: str(inputs.past_key_names) ?? 'past_key_values.%d.key',
    pastValue: str(inputs.past_value_names) ?? 'past_key_values.%d.value',
    presentKey: str(outputs.present_key_names) ?? 'present.%d.key',
    presentValue: str(outputs.present_value_names) ?? 'present.%d.value',
  };
  for (const t of Object.values(kvNames)) if (!t.includes('%d')) throw new HostError('MODEL_INVALID', `${file}: KV name "${t}" has no %d for the layer.`);
  const search = (g.search ?? {}) as Json;
  const config = configFromGenai(g);
  const generationConfig: Json = {
    bos_token_id: model.bos_token_id,
    eos_token_id: model.eos_token_id,
    do_sample: search.do_sample,
    temperature: search.temperature,
    top_k: search.top_k,
    top_p: search.top_p,
    repetition_penalty: search.repetition_penalty,
  };
  return { config, generationConfig, onnxFile, kvNames };
}

/** genai_config.json's model description under config.json's keys (never throws; modelConfig normalises it). */
function configFromGenai(g: Json): Json {
  const model = (g.model ?? {}) as Json;
  const decoder = (model.decoder ?? {}) as Json;
  return {
    model_type: str(model.type) ?? 'genai',
    architectures: [`${str(model.type) ?? 'Genai'}ForCausalLM`],
    vocab_size: num(model.vocab_size),
    max_position_embeddings: num(model.context_length),
    num_attention_heads: num(decoder.num_attention_heads),
    num_key_value_heads: num(decoder.num_key_value_heads) ?? num(decoder.num_attention_heads),
    head_dim: num(decoder.head_size),
    hidden_size: num(decoder.hidden_size),
    num_hidden_layers: num(decoder.num_hidden_layers),
    bos_token_id: model.bos_token_id,
    eos_token_id: model.eos_token_id,
    pad_token_id: model.pad_token_id,
  };
}

/** Regex for a template like "past_key_values.%d.key": the layer is group 1. */
export function templateRegex(template: string): RegExp {
  const escaped = template.split('%d').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('(\\d+)')}$`);
}
