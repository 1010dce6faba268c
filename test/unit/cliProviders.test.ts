/**
 * `--ep webgpu` on a machine WebGPU cannot use: one line saying why, CPU instead, and none of
 * Dawn's native stderr (it writes "Couldn't load Vulkan" from native code when asked to look for
 * an adapter without a Vulkan loader).
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { planProviders, webgpuProblem, type BackendInfo, type HostFiles } from '../../src/host/runtime/providers';
import { providerFailure } from '../../src/host/runtime/session';
import { ROOT, TINY_GPT2 } from './helpers';

/** A machine described by its files: paths that exist and folder listings. */
function machine(paths: string[], cache = ''): HostFiles {
  return {
    exists: (p) => paths.includes(p),
    list: (d) => paths.filter((p) => path.dirname(p) === d).map((p) => path.basename(p)),
    read: (p) => (p === '/etc/ld.so.cache' ? Buffer.from(cache) : undefined),
  };
}

const ICD = '/usr/share/vulkan/icd.d/nvidia_icd.json';

async function run(args: string[]) {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'onnx-assist.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, out, err };
}

describe('WebGPU availability', () => {
  it('on Linux WebGPU needs the Vulkan loader and a driver manifest; elsewhere onnxruntime decides', () => {
    const env = { HOME: '/home/u' };
    assert.match(webgpuProblem('linux', env, machine([ICD]), 'x64') ?? '', /^WebGPU is unavailable: on Linux it runs on Vulkan, and this machine has no Vulkan loader \(libvulkan\.so\.1\)/);
    assert.match(webgpuProblem('linux', env, machine(['/usr/lib/x86_64-linux-gnu/libvulkan.so.1']), 'x64') ?? '', /^WebGPU is unavailable: no Vulkan driver is installed/);
    assert.equal(webgpuProblem('linux', env, machine(['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', ICD]), 'x64'), undefined);
    assert.equal(webgpuProblem('linux', env, machine([ICD], 'glibc-ld.so.cache1.1\0libvulkan.so.1\0/usr/lib/libvulkan.so.1'), 'x64'), undefined, 'found through the linker cache');
    assert.equal(webgpuProblem('linux', { ...env, LD_LIBRARY_PATH: '/opt/vk/lib', VK_ICD_FILENAMES: '/opt/vk/icd.json' }, machine(['/opt/vk/lib/libvulkan.so.1']), 'x64'), undefined);
    assert.equal(webgpuProblem('win32', env, machine([])), undefined);
    assert.equal(webgpuProblem('darwin', env, machine([])), undefined);
  });

  it('a WebGPU the machine cannot run is passed over before onnxruntime is asked, with the reason', () => {
    const backends: BackendInfo[] = [
      { name: 'cpu', bundled: true, installed: true },
      { name: 'webgpu', bundled: true, installed: false, reason: 'WebGPU is unavailable: no Vulkan driver is installed' },
    ];
    assert.deepEqual(planProviders('webgpu', 'linux', backends), { order: ['cpu'], skipped: ['webgpu: WebGPU is unavailable: no Vulkan driver is installed'] });
  });

  it("onnxruntime's own failure text loses its source location", () => {
    const raw =
      '/onnxruntime_src/onnxruntime/core/providers/webgpu/webgpu_context.cc:136 onnxruntime::webgpu::WebGpuContext::Initialize(const onnxruntime::webgpu::WebGpuContextConfig&)::<lambda()> adapter_result.status == wgpu::RequestAdapterStatus::Success was false. Failed to get a WebGPU adapter: No supported adapters';
    assert.equal(providerFailure('webgpu', raw), 'webgpu: WebGPU is unavailable: no usable GPU adapter (Failed to get a WebGPU adapter: No supported adapters)');
    assert.equal(providerFailure('cuda', 'some other reason'), 'cuda: failed to start (some other reason)');
  });

  it('CLI --ep webgpu on this machine: one line on stderr, no native warning, and the run on CPU or WebGPU', async () => {
    const r = await run(['generate', '--model', TINY_GPT2, '--prompt', 'def f(x):', '--max-new-tokens', '3', '--temperature', '0', '--ep', 'webgpu']);
    assert.equal(r.code, 0, r.err);
    assert.doesNotMatch(r.err, /Couldn't load Vulkan|BackendVk|dawn/i);
    const lines = r.err.trimEnd().split('\n');
    if (webgpuProblem(process.platform, process.env)) {
      assert.equal(lines.length, 2, r.err);
      assert.match(lines[0], /^onnx-assist: webgpu: WebGPU is unavailable: .*; running on cpu$/);
      assert.match(lines[1], /, cpu, seed \d+\]$/);
    }
  });
});
