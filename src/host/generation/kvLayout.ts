/**
 * The KV cache as a graph lays it out: which inputs carry past keys and values, the outputs that
 * return them, their sequence axis and element type, read from the graph's own metadata (Optimum
 * names, or an onnxruntime-genai folder's templates). Kept apart from the decode loop because it
 * is the part that differs from one export to the next.
 */
import type * as ort from 'onnxruntime-node';
import { HostError } from '../../protocol/errors';
import type { ModelConfig } from '../models/config';
import { templateRegex, type KvNames } from '../models/genai';
import { inputMeta, outputMeta, type TensorMeta } from '../runtime/session';
import { emptyKv, type KvType } from '../runtime/tensors';

/** How a KV input/output pair is named and shaped in this graph. */
export interface KvSlot {
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
export function kvDims(slot: KvSlot, config: ModelConfig, batch: number, pastLen: number): number[] {
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

/** A past of length zero for every KV input: what the first forward pass of a request is fed. */
export function emptyPast(layout: LmLayout, config: ModelConfig, batch: number): ort.Tensor[] {
  return layout.slots.map((s) => emptyKv(layout.kvType, kvDims(s, config, batch, 0)));
}
