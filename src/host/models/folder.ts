/**
 * Reads a model folder in Hugging Face layout (config.json, tokenizer files, onnx/*.onnx) and
 * refuses anything unsafe or unusable with an error that names the file and the way forward.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HostError } from '../../protocol/errors';
import { modelConfig, type Json, type ModelConfig } from './config';
import { mapGenaiConfig, type KvNames } from './genai';
import { CorruptOnnxError, scanOnnx, type OnnxScan } from './onnxScan';

export type { Json } from './config';

export interface ModelFolder {
  dir: string;
  config: Json;
  /** config.json's keys normalised (heads, context length, decoder or not). */
  model: ModelConfig;
  generationConfig: Json;
  tokenizerJson: Json;
  tokenizerConfig: Json;
  onnxPath: string;
  /** Path relative to dir, for display. */
  onnxFile: string;
  /** KV cache name templates of an onnxruntime-genai folder (Optimum names otherwise). */
  kvNames?: KvNames;
  /** Operator types of the graph (read once, with the external-data check). */
  opTypes: Set<string>;
}

/** The order in which a plain CPU load picks a file when the caller names none. */
export const ONNX_PREFERENCE = [
  'model.onnx',
  'decoder_model_merged.onnx',
  'model_quantized.onnx',
  'decoder_model_merged_quantized.onnx',
  'model_int8.onnx',
  'model_uint8.onnx',
  'model_q4.onnx',
  'model_fp16.onnx',
  'model_q4f16.onnx',
];

const PICKLE_EXTENSIONS = ['.bin', '.pt', '.pth', '.pkl', '.pickle', '.ckpt'];

function invalid(file: string, what: string): HostError {
  return new HostError('MODEL_INVALID', `${file}: ${what}`);
}

export function readJson(file: string, required: boolean): Json {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (!required && (e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw invalid(file, `cannot be read (${(e as Error).message}). A model folder needs config.json, tokenizer.json and onnx/model.onnx.`);
  }
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not a JSON object');
    return v as Json;
  } catch (e) {
    throw invalid(file, `is not valid JSON (${(e as Error).message}). Re-download or re-export the model.`);
  }
}

/** Throws unless `target` stays inside `root` once symbolic links are resolved. */
export function assertInside(root: string, target: string, what: string): void {
  const realRoot = fs.realpathSync(root);
  let real: string;
  try {
    real = fs.realpathSync(target);
  } catch {
    real = path.resolve(target);
  }
  const rel = path.relative(realRoot, real);
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new HostError('MODEL_INVALID', `${what} points outside the model folder (${target}). Refusing to read it: keep every model file inside ${root}.`);
  }
}

function looksLikePickle(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(4);
    fs.readSync(fd, head, 0, 4, 0);
    const zip = head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04; // torch.save archive
    const pickle = head[0] === 0x80 && head[1] >= 2 && head[1] <= 5;
    return zip || pickle;
  } finally {
    fs.closeSync(fd);
  }
}

function refusePickle(file: string): never {
  throw new HostError(
    'MODEL_UNSUPPORTED',
    `${file} is a Python pickle (PyTorch weights). Loading a pickle can run arbitrary code, so ONNX Assist never does. Use an ONNX export of this model (an onnx/ folder, as Optimum and transformers.js publish).`,
  );
}

function chooseOnnx(dir: string, requested?: string): string {
  if (requested) {
    if (path.isAbsolute(requested) || requested.split(/[\\/]/).includes('..')) {
      throw new HostError('BAD_REQUEST', `onnxFile must be a file name inside the model folder, not ${requested}`);
    }
    const candidates = [path.join(dir, 'onnx', requested), path.join(dir, requested)];
    const found = candidates.find((c) => fs.existsSync(c));
    if (!found) throw new HostError('MODEL_NOT_FOUND', `${requested} is not in ${path.join(dir, 'onnx')}. Files there: ${listOnnx(dir).join(', ') || 'none'}.`);
    return found;
  }
  const found = defaultOnnxFile(dir);
  if (found) return found;
  const pickles = fs.readdirSync(dir).filter((f) => PICKLE_EXTENSIONS.includes(path.extname(f)));
  if (pickles.length > 0) refusePickle(path.join(dir, pickles[0]));
  throw new HostError('MODEL_INVALID', `${dir} has no ONNX model: expected onnx/model.onnx (or model_quantized.onnx, decoder_model_merged.onnx). Export the model with Optimum or tools/export.`);
}

/** The ONNX file a load picks when the caller names none (ONNX_PREFERENCE, then the first in onnx/). */
export function defaultOnnxFile(dir: string): string | undefined {
  for (const sub of ['onnx', '.']) {
    for (const name of ONNX_PREFERENCE) {
      const p = path.join(dir, sub, name);
      if (fs.existsSync(p)) return path.normalize(p);
    }
  }
  const any = listOnnx(dir);
  return any.length > 0 ? path.join(dir, 'onnx', any[0]) : undefined;
}

function listOnnx(dir: string): string[] {
  try {
    return fs.readdirSync(path.join(dir, 'onnx')).filter((f) => f.endsWith('.onnx')).sort();
  } catch {
    return [];
  }
}

/** Validates the ONNX file itself: not a pickle, parseable, external data inside the folder. Returns its operator types. */
export function checkOnnxFile(dir: string, onnxPath: string): Set<string> {
  assertInside(dir, onnxPath, path.relative(dir, onnxPath));
  if (PICKLE_EXTENSIONS.includes(path.extname(onnxPath)) || looksLikePickle(onnxPath)) refusePickle(onnxPath);
  const stat = fs.statSync(onnxPath);
  if (stat.size === 0) throw invalid(onnxPath, 'is empty. Re-download or re-export the model.');
  let scan: OnnxScan;
  try {
    scan = scanOnnx(fs.readFileSync(onnxPath));
  } catch (e) {
    if (e instanceof CorruptOnnxError) throw invalid(onnxPath, `is not a valid ONNX file (${e.message}); it may be truncated. Re-download or re-export the model.`);
    throw e;
  }
  const base = path.dirname(onnxPath);
  for (const loc of scan.externalData) {
    if (path.isAbsolute(loc) || /^[a-zA-Z]:/.test(loc) || loc.startsWith('\\\\') || loc.split(/[\\/]/).includes('..')) {
      throw new HostError('MODEL_INVALID', `${onnxPath} references external data at "${loc}", outside the model folder. Refusing to load it.`);
    }
    const file = path.join(base, loc);
    assertInside(dir, file, `external data "${loc}" of ${path.basename(onnxPath)}`);
    if (!fs.existsSync(file)) throw invalid(onnxPath, `references external data file ${loc}, which is missing. Download it next to ${path.basename(onnxPath)}.`);
  }
  return scan.opTypes;
}

function readGenaiFolder(dir: string, genaiPath: string): ModelFolder {
  const m = mapGenaiConfig(readJson(genaiPath, true), genaiPath);
  if (m.onnxFile.split(/[\\/]/).includes('..') || path.isAbsolute(m.onnxFile)) throw new HostError('MODEL_INVALID', `${genaiPath} names a model file outside its folder.`);
  const onnxPath = path.join(dir, m.onnxFile);
  if (!fs.existsSync(onnxPath)) throw new HostError('MODEL_INVALID', `${genaiPath} names ${m.onnxFile}, which is missing.`);
  const opTypes = checkOnnxFile(dir, onnxPath);
  const tokenizerPath = path.join(dir, 'tokenizer.json');
  if (!fs.existsSync(tokenizerPath)) throw new HostError('MODEL_INVALID', `${tokenizerPath} is missing. ONNX Assist needs tokenizer.json next to genai_config.json.`);
  return {
    dir,
    config: m.config,
    model: modelConfig(m.config),
    generationConfig: m.generationConfig,
    tokenizerJson: readJson(tokenizerPath, true),
    tokenizerConfig: readJson(path.join(dir, 'tokenizer_config.json'), false),
    onnxPath,
    onnxFile: m.onnxFile,
    kvNames: m.kvNames,
    opTypes,
  };
}

/** Reads and validates a model folder. Tokenizer files are required only where the task needs them. */
export function readModelFolder(modelPath: string, onnxFile?: string): ModelFolder {
  const dir = path.resolve(modelPath);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch {
    throw new HostError('MODEL_NOT_FOUND', `Model folder ${dir} does not exist. Point to a folder with config.json, tokenizer.json and onnx/model.onnx.`);
  }
  if (!stat.isDirectory()) {
    if (PICKLE_EXTENSIONS.includes(path.extname(dir))) refusePickle(dir);
    throw new HostError('BAD_REQUEST', `${dir} is a file; give the model's folder (the one holding config.json and onnx/).`);
  }
  const configPath = path.join(dir, 'config.json');
  const genaiPath = path.join(dir, 'genai_config.json');
  if (!fs.existsSync(configPath) && fs.existsSync(genaiPath)) return readGenaiFolder(dir, genaiPath);
  if (!fs.existsSync(configPath)) {
    throw new HostError('MODEL_INVALID', `${configPath} is missing: this does not look like a Hugging Face model folder (config.json, tokenizer.json, onnx/model.onnx).`);
  }
  const config = readJson(configPath, true);
  const onnxPath = chooseOnnx(dir, onnxFile);
  const opTypes = checkOnnxFile(dir, onnxPath);
  const tokenizerPath = path.join(dir, 'tokenizer.json');
  if (!fs.existsSync(tokenizerPath)) {
    throw new HostError('MODEL_INVALID', `${tokenizerPath} is missing. ONNX Assist needs the fast-tokenizer file tokenizer.json next to config.json.`);
  }
  return {
    dir,
    config,
    model: modelConfig(config),
    generationConfig: readJson(path.join(dir, 'generation_config.json'), false),
    tokenizerJson: readJson(tokenizerPath, true),
    tokenizerConfig: readJson(path.join(dir, 'tokenizer_config.json'), false),
    onnxPath,
    onnxFile: path.relative(dir, onnxPath),
    opTypes,
  };
}
