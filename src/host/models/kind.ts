/**
 * What kind of model a folder holds, decided from the folder itself without loading it: the
 * model pickers list only models of the kind they need (a causal LM for generation, a classifier
 * for Classify, an NLI or embedding model for zero-shot). No `vscode` import and no onnxruntime:
 * config.json and genai_config.json first, then, only when those do not say, the graph's input
 * and output names read straight from the ONNX protobuf (tensor bytes are skipped, not read).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FEW_SHOT_FORMAT } from '../../protocol/types';
import { isDecoderModel, modelConfig, str, type Json, type ModelConfig } from './config';
import { defaultOnnxFile } from './folder';

/**
 * - `causal-lm`: generates text (completions, Generate, chat).
 * - `classifier`: a sequence classifier with its own labels (Classify).
 * - `nli`: a sequence classifier whose labels include entailment and contradiction (zero-shot).
 * - `encoder`: no classification head; gives embeddings (zero-shot by similarity, teaching).
 * - `unknown`: not a model folder this project can use, with the reason.
 */
export type ModelKind = 'causal-lm' | 'classifier' | 'nli' | 'encoder' | 'unknown';

export interface KindInfo {
  kind: ModelKind;
  /** config.json's model_type (or genai_config.json's model.type), when there is one. */
  modelType?: string;
  /** A classifier's labels in id order. */
  labels?: string[];
  /** Where the decision came from, or why the folder is unknown. */
  why: string;
}

/** What each picker needs. */
export type ModelPurpose = 'generation' | 'classification' | 'zeroShot';

export const KINDS_FOR: Record<ModelPurpose, readonly ModelKind[]> = {
  generation: ['causal-lm'],
  classification: ['classifier'],
  zeroShot: ['nli', 'encoder'],
};

export function fitsPurpose(kind: ModelKind, purpose: ModelPurpose): boolean {
  return KINDS_FOR[purpose].includes(kind);
}

/** In words, for pickers and messages: "a causal language model", "a classifier (ham, spam)". */
export function describeKind(k: KindInfo): string {
  switch (k.kind) {
    case 'causal-lm':
      return 'a causal language model';
    case 'classifier':
      return `a classifier${k.labels?.length ? ` (${shortList(k.labels)})` : ''}`;
    case 'nli':
      return 'an NLI model (zero-shot)';
    case 'encoder':
      return 'an encoder (embeddings; zero-shot by similarity)';
    case 'unknown':
      return `not a usable model (${k.why})`;
  }
}

function shortList(labels: string[]): string {
  return labels.length <= 4 ? labels.join(', ') : `${labels.slice(0, 3).join(', ')} and ${labels.length - 3} more`;
}


function readJson(file: string): Json | string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    return `${path.basename(file)} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
  }
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : `${path.basename(file)} is not a JSON object`;
  } catch {
    return `${path.basename(file)} is not valid JSON`;
  }
}

const isDefaultLabels = (labels: string[]) => labels.every((l, i) => l === `LABEL_${i}`);

/** Entailment and contradiction among the labels: an NLI cross-encoder (as the engine decides). */
export function isNliLabels(labels: string[] | undefined): boolean {
  const has = (prefix: string) => !!labels?.some((l) => l.toLowerCase().startsWith(prefix));
  return has('entail') && has('contradict');
}

function classifierKind(labels: string[] | undefined, modelType: string | undefined, why: string): KindInfo {
  return { kind: isNliLabels(labels) ? 'nli' : 'classifier', modelType, labels, why };
}

/**
 * The graph's input and output names, read from the ONNX protobuf with positioned reads:
 * ModelProto.graph (7) -> GraphProto.input (11) / output (12) -> ValueInfoProto.name (1). Other
 * fields, initializers included, are skipped by their length, so a 500 MB file costs a few reads.
 */
export function onnxInputOutputNames(file: string): { inputs: string[]; outputs: string[] } {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const head = Buffer.alloc(10);
    const varint = (pos: number, end: number): [number, number] => {
      const n = fs.readSync(fd, head, 0, Math.min(10, end - pos), pos);
      let value = 0;
      for (let i = 0; i < n; i++) {
        value += (head[i] & 0x7f) * 2 ** (7 * i);
        if (head[i] < 0x80) return [value, pos + i + 1];
      }
      throw new Error('truncated or malformed protobuf');
    };
    /** Calls `each` for every field in [start, end) with its number and payload range. */
    const fields = (start: number, end: number, each: (no: number, wire: number, from: number, to: number) => void) => {
      let p = start;
      while (p < end) {
        const [key, afterKey] = varint(p, end);
        const no = Math.floor(key / 8);
        const wire = key % 8;
        if (no === 0) throw new Error('field number 0');
        if (wire === 0) p = varint(afterKey, end)[1];
        else if (wire === 1) p = afterKey + 8;
        else if (wire === 5) p = afterKey + 4;
        else if (wire === 2) {
          const [len, from] = varint(afterKey, end);
          if (from + len > end) throw new Error('length past the end of the file');
          each(no, wire, from, from + len);
          p = from + len;
          continue;
        } else throw new Error(`unknown wire type ${wire}`);
        if (p > end) throw new Error('field past the end of the file');
      }
    };
    const nameOf = (from: number, to: number): string | undefined => {
      const len = to - from;
      if (len > 1 << 20) return undefined;
      const bytes = Buffer.alloc(len);
      fs.readSync(fd, bytes, 0, len, from);
      let name: string | undefined;
      let p = 0;
      const read = (): number => {
        let v = 0;
        for (let i = 0; ; i++) {
          if (p >= len || i > 9) throw new Error('malformed ValueInfoProto');
          const b = bytes[p++];
          v += (b & 0x7f) * 2 ** (7 * i);
          if (b < 0x80) return v;
        }
      };
      while (p < len) {
        const key = read();
        const wire = key % 8;
        if (wire === 2) {
          const l = read();
          if (Math.floor(key / 8) === 1) name = bytes.subarray(p, p + l).toString('utf8');
          p += l;
        } else if (wire === 0) read();
        else if (wire === 1) p += 8;
        else if (wire === 5) p += 4;
        else throw new Error('malformed ValueInfoProto');
      }
      return name;
    };
    const inputs: string[] = [];
    const outputs: string[] = [];
    let sawGraph = false;
    fields(0, size, (no, _wire, from, to) => {
      if (no !== 7) return;
      sawGraph = true;
      fields(from, to, (gno, _w, vfrom, vto) => {
        if (gno !== 11 && gno !== 12) return;
        const name = nameOf(vfrom, vto);
        if (name !== undefined) (gno === 11 ? inputs : outputs).push(name);
      });
    });
    if (!sawGraph) throw new Error('no graph in the file');
    return { inputs, outputs };
  } finally {
    fs.closeSync(fd);
  }
}

function kindFromGraph(dir: string, config: ModelConfig): KindInfo {
  const modelType = config.modelType;
  const onnx = defaultOnnxFile(dir);
  if (!onnx) return { kind: 'unknown', modelType, why: 'no ONNX model in onnx/' };
  let io: { inputs: string[]; outputs: string[] };
  try {
    io = onnxInputOutputNames(onnx);
  } catch (e) {
    return { kind: 'unknown', modelType, why: `${path.relative(dir, onnx)} is not a readable ONNX file (${(e as Error).message})` };
  }
  const file = path.relative(dir, onnx);
  if (isDecoderModel(config, io)) {
    return { kind: 'causal-lm', modelType, why: `${file} takes a KV cache (past_key_values)` };
  }
  // Without a KV cache, logits are a classification head (the engine decides the same way).
  if (io.outputs.includes('logits')) return classifierKind(config.labels, modelType, `${file} outputs logits`);
  if (io.outputs.some((n) => n === 'last_hidden_state' || n === 'token_embeddings' || n === 'sentence_embedding')) {
    return { kind: 'encoder', modelType, why: `${file} outputs ${io.outputs.join(', ')}` };
  }
  return { kind: 'unknown', modelType, why: `${file} has none of the outputs logits, last_hidden_state, token_embeddings` };
}

/**
 * The kind of model at `dir` (a Hugging Face or onnxruntime-genai folder, or a few-shot
 * classifier's .json file). Never throws: an unusable path is `unknown` with the reason.
 */
export function modelKindOf(dir: string): KindInfo {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch {
    return { kind: 'unknown', why: `${dir} does not exist` };
  }
  if (stat.isFile()) {
    if (!dir.toLowerCase().endsWith('.json')) return { kind: 'unknown', why: `${path.basename(dir)} is a file, not a model folder` };
    const c = readJson(dir);
    if (typeof c === 'string') return { kind: 'unknown', why: c };
    if (c.format !== FEW_SHOT_FORMAT) return { kind: 'unknown', why: `${path.basename(dir)} is not a few-shot classifier file` };
    const labels = Array.isArray(c.labels) ? c.labels.filter((l): l is string => typeof l === 'string') : undefined;
    return { kind: 'classifier', labels, why: 'a few-shot classifier taught from examples' };
  }
  const configPath = path.join(dir, 'config.json');
  const genaiPath = path.join(dir, 'genai_config.json');
  if (fs.existsSync(genaiPath)) {
    // onnxruntime-genai runs decoders only.
    const g = readJson(genaiPath);
    if (typeof g === 'string') return { kind: 'unknown', why: g };
    return { kind: 'causal-lm', modelType: str(((g.model ?? {}) as Json).type), why: 'genai_config.json (onnxruntime-genai decoder)' };
  }
  if (!fs.existsSync(configPath)) return { kind: 'unknown', why: 'no config.json (not a Hugging Face model folder)' };
  const config = readJson(configPath);
  if (typeof config === 'string') return { kind: 'unknown', why: config };
  const c = modelConfig(config);
  const { modelType, labels } = c;
  if (c.declared === 'decoder') return { kind: 'causal-lm', modelType, why: c.declaredBy! };
  if (c.declared === 'classifier') return classifierKind(labels, modelType, c.declaredBy!);
  if (c.declared === 'encoder') return { kind: 'encoder', modelType, why: c.declaredBy! };
  if (labels && !isDefaultLabels(labels) && isNliLabels(labels)) return { kind: 'nli', modelType, labels, why: 'labels include entailment and contradiction' };
  // config.json does not say: the graph does.
  return kindFromGraph(dir, c);
}
