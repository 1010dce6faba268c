/**
 * What a failed command offers (errors.ts) and how the provider is shown (providerText.ts): both
 * plain data, decided without VS Code.
 */
import * as assert from 'node:assert/strict';
import { actionsFor, UserError } from '../../src/vscode/errors';
import { providerText, shortReason } from '../../src/vscode/providerText';
import { CUDA_HINT } from '../../src/host/runtime/providers';
import { HubError } from '../../src/core/hub/names';
import { HostError } from '../../src/protocol/errors';

const titles = (e: unknown, canRetry = true) => actionsFor(e, canRetry).map((a) => a.title);

describe('actions offered with an error', () => {
  it('an offline download offers Retry and the endpoint setting, not Restart Host', () => {
    assert.deepEqual(titles(new HubError('Could not reach huggingface.co: fetch failed (getaddrinfo ENOTFOUND huggingface.co)', 'NETWORK')), ['Retry', 'Open Endpoint Setting']);
    const endpoint = actionsFor(new HubError('x', 'NETWORK'), true).find((a) => a.title === 'Open Endpoint Setting');
    assert.deepEqual(endpoint, { title: 'Open Endpoint Setting', command: 'workbench.action.openSettings', args: [{ query: 'onnxAssist.hub.endpoint' }] });
  });

  it('each kind of failure gets the actions that can help with it', () => {
    assert.deepEqual(titles(new HubError('401', 'UNAUTHORIZED')), ['Set Hugging Face Token…', 'Retry']);
    assert.deepEqual(titles(new HubError('full', 'NO_SPACE')), ['Manage Downloaded Models…', 'Open Cache Setting']);
    assert.deepEqual(titles(new HostError('HOST_DIED', 'died')), ['Retry', 'Restart Host']);
    assert.deepEqual(titles(new HostError('MODEL_INVALID', 'bad')), ['Open Model Settings', 'Download Model…']);
    assert.deepEqual(titles(new HostError('BAD_REQUEST', 'no')), [], 'a bad request is fixed by the input, not by a restart');
    assert.deepEqual(titles(new Error('ENOENT: no such file')), []);
    assert.deepEqual(titles(new HubError('x', 'NETWORK'), false), ['Open Endpoint Setting'], 'no Retry without a way to retry');
  });

  it('a UserError carries its own actions', () => {
    const e = new UserError('No zero-shot model is set.', [{ title: 'Select Zero-Shot Model…', command: 'onnxAssist.selectZeroShotModel' }]);
    assert.deepEqual(titles(e), ['Select Zero-Shot Model…']);
  });
});

describe('the provider shown everywhere', () => {
  it('is the one that runs, with the reason when it is not the chosen one', () => {
    const t = providerText({ chosen: 'dml', running: 'cpu', fallbacks: ['dml: DirectML runs on Windows only (this is linux)'] });
    assert.equal(t.short, 'cpu (not dml)');
    assert.equal(t.line, 'cpu, not dml: DirectML runs on Windows only (this is linux)');
    assert.equal(t.reason, 'DirectML runs on Windows only (this is linux)');
  });

  it('auto on a CPU-only machine is one short line, without the CUDA install text', () => {
    const t = providerText({ chosen: 'auto', running: 'cpu', fallbacks: [`cuda: the CUDA provider is not installed: ${CUDA_HINT}`] });
    assert.equal(t.line, 'cpu (auto)');
    assert.equal(t.reason, undefined);
  });

  it('an explicit CUDA choice on a machine without it gets the short reason only', () => {
    const t = providerText({ chosen: 'cuda', running: 'cpu', fallbacks: [`cuda: the CUDA provider is not installed: ${CUDA_HINT}`] });
    assert.equal(t.line, 'cpu, not cuda: the CUDA provider is not installed');
    assert.ok(!t.line.includes('\n') && !t.line.includes('NuGet'));
  });

  it('before any model loads, only the choice is known', () => {
    assert.equal(providerText({ chosen: 'auto', fallbacks: [] }).short, 'auto');
    assert.equal(providerText({ chosen: 'cpu', running: 'cpu', fallbacks: [] }).line, 'cpu');
  });

  it('shortReason keeps what is wrong and drops how to fix it, and stays short', () => {
    assert.equal(shortReason('webgpu: failed to start (adapter: none: really)'), 'failed to start (adapter: none: really)');
    assert.ok(shortReason(`x: ${'a'.repeat(300)}`).length <= 90);
  });
});
