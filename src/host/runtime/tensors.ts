/** Small tensor helpers for the KV cache and logits; data stays in typed arrays, never JS arrays. */
import * as ort from 'onnxruntime-node';
import { HostError } from '../../protocol/errors';

export type KvType = 'float32' | 'float16';

export function int64(values: ArrayLike<number>, dims: number[]): ort.Tensor {
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i]);
  return new ort.Tensor('int64', data, dims);
}

export function filledInt64(value: number, dims: number[]): ort.Tensor {
  return new ort.Tensor('int64', new BigInt64Array(dims.reduce((a, b) => a * b, 1)).fill(BigInt(value)), dims);
}

export function emptyKv(type: KvType, dims: number[]): ort.Tensor {
  const n = dims.reduce((a, b) => a * b, 1);
  return new ort.Tensor(type, type === 'float16' ? new Uint16Array(n) : new Float32Array(n), dims);
}

type KvData = Float32Array | Uint16Array;

/** Keeps the first `length` positions along `axis` (the sequence axis of a KV tensor). */
export function sliceAxis(t: ort.Tensor, axis: number, length: number): ort.Tensor {
  const dims = t.dims;
  if (dims[axis] === length) return t;
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const src = t.data as KvData;
  const dst = new (src.constructor as { new (n: number): KvData })(outer * length * inner);
  const srcStride = dims[axis] * inner;
  const dstStride = length * inner;
  for (let o = 0; o < outer; o++) dst.set(src.subarray(o * srcStride, o * srcStride + dstStride), o * dstStride);
  const newDims = [...dims];
  newDims[axis] = length;
  return new ort.Tensor(t.type as KvType, dst, newDims);
}

/** Repeats a batch-1 tensor n times along the batch axis (one prompt, several samples). */
export function repeatBatch(t: ort.Tensor, n: number): ort.Tensor {
  if (n === 1) return t;
  const src = t.data as KvData;
  const dst = new (src.constructor as { new (n: number): KvData })(src.length * n);
  for (let i = 0; i < n; i++) dst.set(src, i * src.length);
  return new ort.Tensor(t.type as KvType, dst, [n * t.dims[0], ...t.dims.slice(1)]);
}

const f16Table = (() => {
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const s = h & 0x8000 ? -1 : 1;
    const e = (h >> 10) & 0x1f;
    const m = h & 0x3ff;
    table[h] = e === 0 ? s * 2 ** -14 * (m / 1024) : e === 31 ? (m ? NaN : s * Infinity) : s * 2 ** (e - 15) * (1 + m / 1024);
  }
  return table;
})();

/** One row of logits [.., V] as float32 (fp16 models are widened), checked for NaN. */
export function logitsRow(t: ort.Tensor, row: number, vocab: number): Float32Array {
  const out = new Float32Array(vocab);
  const start = row * vocab;
  if (t.type === 'float32') out.set((t.data as Float32Array).subarray(start, start + vocab));
  else if (t.type === 'float16') {
    const src = t.data as Uint16Array;
    for (let i = 0; i < vocab; i++) out[i] = f16Table[src[start + i]];
  } else throw new HostError('MODEL_UNSUPPORTED', `logits of type ${t.type} are not supported`);
  for (let i = 0; i < vocab; i++) {
    if (Number.isNaN(out[i])) {
      throw new HostError('INFERENCE_FAILED', 'The model produced NaN logits. With an fp16 model this is usually overflow: try the fp32 or quantized (q8) variant, or the CPU provider.');
    }
  }
  return out;
}
