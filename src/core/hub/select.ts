/**
 * Which files of a Hub repository make a runnable model folder for a dtype: the configs and
 * tokenizer, one ONNX graph (with its external-data files), or an onnxruntime-genai folder's
 * graph named by genai_config.json. Never the PyTorch weights.
 */
import { DTYPE_SUFFIX, HubError, safeRelativePath, type Dtype } from './names';

const METADATA = [
  'config.json',
  'generation_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'genai_config.json',
  'README.md',
  'LICENSE',
  'LICENSE.txt',
];

/** Graph names tried in order for a dtype: encoders and plain decoders, then merged decoders. */
const GRAPHS = ['model', 'decoder_model_merged'];

export interface Selection {
  files: string[];
}

export function dtypesAvailable(files: string[]): Dtype[] {
  return (Object.keys(DTYPE_SUFFIX) as Dtype[]).filter((d) => GRAPHS.some((g) => files.includes(`onnx/${g}${DTYPE_SUFFIX[d]}.onnx`)));
}

export function selectFiles(siblings: string[], dtype: Dtype, genaiGraph?: string): Selection {
  const files = siblings.map(safeRelativePath);
  const meta = METADATA.filter((f) => files.includes(f));
  if (!files.includes('config.json') && !files.includes('genai_config.json')) {
    throw new HubError('This repository has no config.json, so it is not a model in Hugging Face layout.', 'NO_ONNX');
  }
  let graph: string | undefined;
  if (genaiGraph) graph = files.includes(genaiGraph) ? genaiGraph : undefined;
  else graph = GRAPHS.map((g) => `onnx/${g}${DTYPE_SUFFIX[dtype]}.onnx`).find((f) => files.includes(f));
  if (!graph) {
    const have = dtypesAvailable(files);
    const hint = have.length ? `Variants here: ${have.join(', ')}.` : files.some((f) => f.endsWith('.onnx')) ? 'Its ONNX files are not in the transformers.js layout (onnx/model*.onnx).' : 'It has no ONNX files; use an ONNX export (an onnx/ folder, as transformers.js and Optimum publish).';
    throw new HubError(`No ${dtype} ONNX model in this repository. ${hint}`, 'NO_ONNX');
  }
  // External data: model.onnx_data, model.onnx_data_1, ... (transformers.js) or model.onnx.data (genai).
  const data = files.filter((f) => f.startsWith(`${graph}_data`) || f.startsWith(`${graph}.data`));
  return { files: [...meta, graph, ...data] };
}
