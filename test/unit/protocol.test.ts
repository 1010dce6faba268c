import * as assert from 'node:assert/strict';
import { HostError } from '../../src/protocol/errors';
import { parseClientMessage } from '../../src/protocol/messages';
import { parseParams } from '../../src/protocol/methods';
import { parseExecutionProvider } from '../../src/protocol/validate';

function badRequest(fn: () => unknown, pattern: RegExp) {
  assert.throws(fn, (e: unknown) => e instanceof HostError && e.code === 'BAD_REQUEST' && pattern.test(e.message));
}

describe('protocol validation', () => {
  it('accepts a well-formed request and cancel', () => {
    assert.deepEqual(parseClientMessage({ kind: 'cancel', id: 3 }), { kind: 'cancel', id: 3 });
    const m = parseClientMessage({ kind: 'request', id: 1, method: 'status', params: {} });
    assert.equal(m.kind, 'request');
  });

  it('rejects malformed envelopes with the field named', () => {
    badRequest(() => parseClientMessage(null), /message must be an object/);
    badRequest(() => parseClientMessage('hi'), /message must be an object/);
    badRequest(() => parseClientMessage({ kind: 'request', id: -1, method: 'status' }), /message\.id/);
    badRequest(() => parseClientMessage({ kind: 'request', id: 1.5, method: 'status' }), /message\.id/);
    badRequest(() => parseClientMessage({ kind: 'rm -rf', id: 1 }), /message\.kind/);
    badRequest(() => parseClientMessage({ kind: 'request', id: 1, method: 'eval' }), /message\.method must be one of/);
    badRequest(() => parseClientMessage({ kind: 'request', id: 1, method: 'status ' }), /message\.method/);
  });

  it('checks generation params and options', () => {
    const ok = parseParams('generate', { modelPath: '/m', prompt: 'x', options: { maxNewTokens: 5, stop: ['\n'], temperature: 0.7 } });
    assert.equal(ok.options?.maxNewTokens, 5);
    badRequest(() => parseParams('generate', { prompt: 'x' }), /generate\.params\.modelPath must be a string/);
    badRequest(() => parseParams('generate', { modelPath: '', prompt: 'x' }), /non-empty/);
    badRequest(() => parseParams('generate', { modelPath: '/m', prompt: 3 }), /prompt must be a string/);
    badRequest(() => parseParams('generate', { modelPath: '/m', prompt: 'x', options: { maxNewTokens: 0 } }), /maxNewTokens must be an integer in \[1/);
    badRequest(() => parseParams('generate', { modelPath: '/m', prompt: 'x', options: { topP: 1.5 } }), /topP/);
    badRequest(() => parseParams('generate', { modelPath: '/m', prompt: 'x', options: { temperature: NaN } }), /temperature/);
    badRequest(() => parseParams('generate', { modelPath: '/m', prompt: 'x', options: { stop: [''] } }), /non-empty strings/);
    badRequest(() => parseParams('generate', { modelPath: '/m', prompt: 'x', options: { maxTokens: 3 } }), /options\.maxTokens must be one of/);
    badRequest(() => parseParams('generate', { modelPath: '/m', prompt: 'x', ep: 'tpu' }), /Should be one of: auto, cpu, cuda, dml, webgpu/);
  });

  it('checks classify and embed texts', () => {
    badRequest(() => parseParams('classify', { modelPath: '/m', texts: [] }), /at least one text/);
    badRequest(() => parseParams('classify', { modelPath: '/m', texts: ['a', 2] }), /array of strings/);
    badRequest(() => parseParams('embed', { modelPath: '/m', texts: 'a' }), /array of strings/);
    assert.deepEqual(parseParams('classify', { modelPath: '/m', texts: ['a'], topK: 2 }).texts, ['a']);
  });

  it('lists the valid execution providers in its error', () => {
    assert.equal(parseExecutionProvider('cuda'), 'cuda');
    assert.throws(() => parseExecutionProvider('gpu'), /Unsupported execution provider "gpu" for ep\. Should be one of: auto, cpu, cuda, dml, webgpu\./);
  });
});
