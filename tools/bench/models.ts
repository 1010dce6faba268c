/** Realistic-size benchmark models with random weights, built by tools/export on first use into bench-models/ (never committed). */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const PYTHON = '/usr/bin/python3';
const INSTALL = 'apt-get install python3-torch python3-onnx python3-regex libopenblas0-pthread';

/** Whether Debian's torch and onnx are there to build with; says in one line what to install when not. */
function canBuild(what: string): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import torch, onnx, regex, numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    console.log(`bench: skipping the ${what}: to build it, ${INSTALL}`);
    return false;
  }
}

/** Model building is heavy and the machine is shared: at low priority. */
function py(root: string, args: string[]): void {
  execFileSync('nice', ['-n', '10', PYTHON, ...args], { stdio: 'inherit', cwd: root });
}

export function ensureGpt2Model(root: string): string | undefined {
  const dir = path.join(root, 'bench-models', 'gpt2-124m-random');
  if (fs.existsSync(path.join(dir, 'onnx', 'model.onnx'))) return dir;
  if (!canBuild('GPT-2-124M-shape model')) return undefined;
  console.log('bench: building a GPT-2-124M-shape model with random weights (about 500 MB, once) ...');
  py(root, ['tools/export/export.py', 'gpt2', '--out', dir, '--corpus', '/usr/lib/python3.11/a*.py', '--vocab-size', '2048',
    '--pad-vocab', '50257', '--layers', '12', '--heads', '12', '--hidden', '768', '--positions', '1024', '--init-std', '0.02', '--seed', '5']);
  return dir;
}

export interface QwenModels {
  int8: string;
  q4: string;
}

/**
 * The Qwen2.5-Coder-0.5B shape (24 layers, hidden 896, 14 heads / 2 KV heads, MLP 4864, vocabulary
 * 151,936, rope theta 1e6, tied embeddings, q/k/v biases) with random weights, in int8
 * (model_quantized.onnx: DynamicQuantizeLinear + MatMulInteger) and q4 (model_q4.onnx:
 * MatMulNBits), the two files transformers.js loads as dtype q8 and q4. The fp32 export (2.5 GB,
 * external data) is only the quantizer's input and is deleted afterwards. About 5-10 minutes once.
 */
export function ensureQwenModels(root: string): QwenModels | undefined {
  const base = path.join(root, 'bench-models', 'qwen2.5-coder-0.5b-shape');
  const m = { int8: `${base}-int8`, q4: `${base}-q4` };
  const ready = (d: string, f: string) => fs.existsSync(path.join(d, 'onnx', f));
  if (ready(m.int8, 'model_quantized.onnx') && ready(m.q4, 'model_q4.onnx')) return m;
  if (!canBuild('Qwen2.5-Coder-0.5B-shape model')) return undefined;
  const fp32 = `${base}-fp32`;
  if (!ready(fp32, 'model.onnx')) {
    console.log('bench: building a Qwen2.5-Coder-0.5B-shape model with random weights (2.5 GB fp32 while quantizing, once) ...');
    py(root, ['tools/export/export.py', 'qwen2', '--preset', 'qwen2.5-coder-0.5b', '--out', fp32, '--corpus', '/usr/lib/python3.11/a*.py', '--vocab-size', '2048', '--seed', '5']);
  }
  if (!ready(m.int8, 'model_quantized.onnx')) py(root, ['tools/export/quantize.py', fp32, '--out', m.int8]);
  if (!ready(m.q4, 'model_q4.onnx')) py(root, ['tools/export/quantize.py', fp32, '--q4', '--out', m.q4]);
  fs.rmSync(fp32, { recursive: true, force: true });
  return m;
}
