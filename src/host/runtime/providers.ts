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
  /** For providers that ship separately (CUDA): whether their libraries are on disk; WebGPU: whether its driver is. */
  installed: boolean;
  /** Why a provider that is not installed cannot run, when there is more to say than that. */
  reason?: string;
}

export interface ProviderPlan {
  /** Providers to try in order; the last is always cpu. */
  order: ConcreteProvider[];
  /** Providers passed over before trying, each with its reason. */
  skipped: string[];
}

/**
 * npm 11 runs no dependency install script that package.json's allowScripts does not approve, and
 * this project denies onnxruntime-node's (its only job is this download), so the hint names the
 * script itself rather than an npm flag.
 */
export const CUDA_HINT =
  'reinstall onnxruntime-node with --onnxruntime-node-install=cuda12 in effect (`ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install`) on a machine that reaches NuGet, and install the CUDA 12 runtime and cuDNN 9';

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
      const webgpu = has('webgpu');
      if (!webgpu) skipped.push(`webgpu: this onnxruntime-node build has no WebGPU provider for ${platform}`);
      else if (!webgpu.installed) skipped.push(`webgpu: ${webgpu.reason ?? 'WebGPU is unavailable on this machine'}`);
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

/** What this onnxruntime-node install supports, with the CUDA libraries and WebGPU's driver checked on disk. */
export function probeBackends(listSupported: () => { name: string; bundled: boolean }[], ortDir: string | undefined, webgpu = webgpuProblem(process.platform, process.env)): BackendInfo[] {
  const arch = process.arch;
  const libDir = ortDir ? path.join(ortDir, 'bin', 'napi-v6', process.platform, arch) : undefined;
  const cudaLib = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  return listSupported().map((b) => {
    if (b.name === 'webgpu' && webgpu) return { name: b.name, bundled: b.bundled, installed: false, reason: webgpu };
    return { name: b.name, bundled: b.bundled, installed: b.bundled || (b.name === 'cuda' && !!libDir && fs.existsSync(path.join(libDir, cudaLib))) };
  });
}

/** The few file reads the WebGPU check needs, injectable so the check can be tested anywhere. */
export interface HostFiles {
  exists(p: string): boolean;
  list(dir: string): string[];
  read(p: string): Buffer | undefined;
}

const realFiles: HostFiles = {
  exists: (p) => fs.existsSync(p),
  list: (d) => {
    try {
      return fs.readdirSync(d);
    } catch {
      return [];
    }
  },
  read: (p) => {
    try {
      return fs.readFileSync(p);
    } catch {
      return undefined;
    }
  },
};

const VULKAN_LOADER = 'libvulkan.so.1';
const MULTIARCH: Partial<Record<string, string>> = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' };

/**
 * Why WebGPU cannot run on this machine, or undefined when it may. On Linux onnxruntime's WebGPU
 * (Dawn) runs on Vulkan; asked for WebGPU without a Vulkan loader, Dawn writes a raw "Couldn't
 * load Vulkan" warning to the process's stderr from native code while it looks for an adapter,
 * and nothing in-process can silence that. So the loader (where the dynamic linker finds it) and
 * a Vulkan driver manifest (where the loader finds them) are checked first, and WebGPU is not
 * attempted without them. Other platforms (D3D12, Metal) are left to onnxruntime.
 */
export function webgpuProblem(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, files: HostFiles = realFiles, arch: string = process.arch): string | undefined {
  if (platform !== 'linux') return undefined;
  const multiarch = MULTIARCH[arch];
  const libDirs = [...(env.LD_LIBRARY_PATH ?? '').split(':'), '/lib', '/usr/lib', '/lib64', '/usr/lib64', '/usr/local/lib', ...(multiarch ? [`/lib/${multiarch}`, `/usr/lib/${multiarch}`] : [])].filter(Boolean);
  const loader = libDirs.some((d) => files.exists(path.join(d, VULKAN_LOADER))) || !!files.read('/etc/ld.so.cache')?.includes(VULKAN_LOADER);
  if (!loader) return `WebGPU is unavailable: on Linux it runs on Vulkan, and this machine has no Vulkan loader (${VULKAN_LOADER}); install your GPU's Vulkan driver to use it`;
  if (env.VK_ICD_FILENAMES || env.VK_DRIVER_FILES || env.VK_ADD_DRIVER_FILES) return undefined;
  const roots = [...(env.XDG_CONFIG_DIRS || '/etc/xdg').split(':'), '/etc', ...(env.XDG_DATA_DIRS || '/usr/local/share:/usr/share').split(':'), env.HOME ? path.join(env.HOME, '.local', 'share') : ''];
  const manifests = roots.filter(Boolean).map((r) => path.join(r, 'vulkan', 'icd.d'));
  if (!manifests.some((d) => files.list(d).some((f) => f.endsWith('.json')))) {
    return `WebGPU is unavailable: no Vulkan driver is installed (no driver manifest in ${manifests.filter((d) => d.startsWith('/usr/share') || d.startsWith('/etc/vulkan')).join(' or ')}); install your GPU's Vulkan driver to use it`;
  }
  return undefined;
}

/** Intra-op threads when the user sets none: leave a core for the editor on bigger machines. */
export function defaultThreads(cores: number): number {
  if (cores <= 2) return Math.max(1, cores);
  return Math.min(8, cores - 1);
}
