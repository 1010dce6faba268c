import * as assert from 'node:assert/strict';
import { defaultThreads, planProviders, type BackendInfo } from '../../src/host/runtime/providers';

const linuxNoCuda: BackendInfo[] = [
  { name: 'cpu', bundled: true, installed: true },
  { name: 'webgpu', bundled: true, installed: true },
  { name: 'cuda', bundled: false, installed: false },
];
const linuxCuda: BackendInfo[] = linuxNoCuda.map((b) => (b.name === 'cuda' ? { ...b, installed: true } : b));
const win: BackendInfo[] = [
  { name: 'cpu', bundled: true, installed: true },
  { name: 'dml', bundled: true, installed: true },
  { name: 'webgpu', bundled: true, installed: true },
  { name: 'cuda', bundled: false, installed: false },
];
const mac: BackendInfo[] = [
  { name: 'cpu', bundled: true, installed: true },
  { name: 'webgpu', bundled: true, installed: true },
  { name: 'coreml', bundled: true, installed: true },
];

describe('execution provider planning', () => {
  it('auto on Linux without CUDA runs on CPU and says why CUDA was passed over', () => {
    const p = planProviders('auto', 'linux', linuxNoCuda);
    assert.deepEqual(p.order, ['cpu']);
    assert.equal(p.skipped.length, 1);
    assert.match(p.skipped[0], /cuda: the CUDA provider is not installed: reinstall onnxruntime-node with --onnxruntime-node-install=cuda12/);
  });

  it('auto tries CUDA first when its libraries are installed', () => {
    assert.deepEqual(planProviders('auto', 'linux', linuxCuda).order, ['cuda', 'cpu']);
  });

  it('auto on Windows tries DirectML, then CPU', () => {
    assert.deepEqual(planProviders('auto', 'win32', win).order, ['dml', 'cpu']);
  });

  it('an explicit provider the platform lacks falls back to CPU with the reason', () => {
    const dml = planProviders('dml', 'linux', linuxNoCuda);
    assert.deepEqual(dml.order, ['cpu']);
    assert.match(dml.skipped[0], /DirectML runs on Windows only \(this is linux\)/);
    const cuda = planProviders('cuda', 'darwin', mac);
    assert.match(cuda.skipped[0], /CUDA runs on Linux and Windows only/);
    const webgpu = planProviders('webgpu', 'linux', [{ name: 'cpu', bundled: true, installed: true }]);
    assert.match(webgpu.skipped[0], /no WebGPU provider/);
  });

  it('WebGPU is used only when asked for', () => {
    assert.deepEqual(planProviders('webgpu', 'linux', linuxNoCuda).order, ['webgpu', 'cpu']);
    assert.ok(!planProviders('auto', 'linux', linuxNoCuda).order.includes('webgpu'));
  });

  it('cpu means cpu, with nothing skipped', () => {
    assert.deepEqual(planProviders('cpu', 'linux', linuxCuda), { order: ['cpu'], skipped: [] });
  });

  it('thread count leaves a core for the editor on bigger machines, never below one', () => {
    assert.equal(defaultThreads(1), 1);
    assert.equal(defaultThreads(2), 2);
    assert.equal(defaultThreads(4), 3);
    assert.equal(defaultThreads(64), 8);
  });
});
