/**
 * Which execution providers to try, in what order, and why others were passed over.
 * Pure planning (testable anywhere) plus the probe of what this install actually has.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ConcreteProvider, ExecutionProvider } from '../../protocol/types';

export interface BackendInfo {
  name: string;
  bundled: boolean;
  /** For providers that ship separately (CUDA): whether their libraries are on disk. */
  installed: boolean;
}

export interface ProviderPlan {
  /** Providers to try in order; the last is always cpu. */
  order: ConcreteProvider[];
  /** Providers passed over before trying, each with its reason. */
  skipped: string[];
}

export const CUDA_HINT =
  'reinstall onnxruntime-node with --onnxruntime-node-install=cuda12 on a machine that reaches NuGet, and install the CUDA 12 runtime and cuDNN 9';

/** Plans the providers for a request on a platform, given what the install supports. */
export function planProviders(requested: ExecutionProvider, platform: NodeJS.Platform, backends: BackendInfo[]): ProviderPlan {
  const has = (name: string) => backends.find((b) => b.name === name);
  const skipped: string[] = [];
  const order: ConcreteProvider[] = [];
  const consider = (ep: ConcreteProvider, explicit: boolean) => {
    if (ep === 'cpu') return;
    if (ep === 'cuda') {
      if (platform !== 'linux' && platform !== 'win32') skipped.push(`cuda: CUDA runs on Linux and Windows only (this is ${platform})`);
      else if (!has('cuda')?.installed) skipped.push(`cuda: the CUDA provider is not installed: ${CUDA_HINT}`);
      else order.push('cuda');
    } else if (ep === 'dml') {
      if (platform !== 'win32') skipped.push(`dml: DirectML runs on Windows only (this is ${platform})`);
      else order.push('dml');
    } else if (ep === 'webgpu') {
      if (!has('webgpu')) skipped.push(`webgpu: this onnxruntime-node build has no WebGPU provider for ${platform}`);
      else if (explicit) order.push('webgpu');
    }
  };
  if (requested === 'auto') {
    // GPU providers first where they can exist; WebGPU in Node is experimental and is only used when asked for.
    if (platform === 'linux' || platform === 'win32') consider('cuda', false);
    if (platform === 'win32') consider('dml', false);
  } else {
    consider(requested, true);
  }
  order.push('cpu');
  return { order, skipped };
}

/** What this onnxruntime-node install supports, with the CUDA libraries checked on disk. */
export function probeBackends(listSupported: () => { name: string; bundled: boolean }[], ortDir: string | undefined): BackendInfo[] {
  const arch = process.arch;
  const libDir = ortDir ? path.join(ortDir, 'bin', 'napi-v6', process.platform, arch) : undefined;
  const cudaLib = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  return listSupported().map((b) => ({
    name: b.name,
    bundled: b.bundled,
    installed: b.bundled || (b.name === 'cuda' && !!libDir && fs.existsSync(path.join(libDir, cudaLib))),
  }));
}

/** Intra-op threads when the user sets none: leave a core for the editor on bigger machines. */
export function defaultThreads(cores: number): number {
  if (cores <= 2) return Math.max(1, cores);
  return Math.min(8, cores - 1);
}
