import * as assert from 'node:assert/strict';
import { HostError } from '../../src/protocol/errors';
import type { HostMessage } from '../../src/protocol/messages';
import { parseClientMessage } from '../../src/protocol/messages';
import { HOST_METHODS, parseParams, type Method, type ParamsOf, type ResultOf } from '../../src/protocol/methods';
import type { GenerateParams, GenerateResult, HostStatus } from '../../src/protocol/types';
import type { Engine } from '../../src/host/engine';
import { handlers, serve, type Transport } from '../../src/host/serve';

/** A transport that records what the host posts and lets the test send. */
function fakeTransport() {
  const posted: HostMessage[] = [];
  let receive: (m: unknown) => void = () => undefined;
  const transport: Transport = { post: (m) => posted.push(m), onMessage: (h) => (receive = h), close: () => undefined };
  return { transport, posted, send: (m: unknown) => receive(m) };
}

/** True only when A and B are the same type. */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
// Compile-time: the types read from the table are the declared ones (not unknown or never).
const typesFromTable: [Same<ParamsOf<'generate'>, GenerateParams>, Same<ResultOf<'generate'>, GenerateResult>, Same<ResultOf<'status'>, HostStatus>, Same<ResultOf<'unload'>, { unloaded: boolean }>] = [true, true, true, true];

const settle = () => new Promise((r) => setImmediate(r));

describe('host method table', () => {
  const methods = Object.keys(HOST_METHODS) as Method[];

  it("the table, the params parser and serve's handlers cover the same methods", () => {
    assert.deepEqual(typesFromTable, [true, true, true, true]);
    const served = Object.keys(handlers({} as Engine, fakeTransport().transport, new Map()));
    assert.deepEqual([...served].sort(), [...methods].sort());
    for (const method of methods) {
      const m = parseClientMessage({ kind: 'request', id: 1, method, params: {} });
      assert.equal(m.kind === 'request' && m.method, method);
      // Each method has its own parser: its errors name it, never "a known method".
      assert.throws(() => parseParams(method, 5), (e: unknown) => e instanceof HostError && e.message === `${method}.params must be an object (got 5)`);
    }
  });

  it('refuses names that are not methods, inherited ones included', () => {
    for (const name of ['eval', 'toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      assert.throws(() => parseClientMessage({ kind: 'request', id: 1, method: name }), /message\.method must be one of load, unload, generate, prefill, classify, embed, zeroShot, trainClassifier, score, countTokens, status, shutdown/);
      assert.throws(() => parseParams(name as Method, {}), /method must be a known method/);
    }
  });

  it('serve says ready, answers bad params with the request id, and shuts down', async () => {
    const { transport, posted, send } = fakeTransport();
    serve(transport, '1.2.3');
    assert.deepEqual(posted[0], { kind: 'ready', ortVersion: '1.2.3' });
    send({ kind: 'request', id: 7, method: 'generate', params: { modelPath: '/m', prompt: 'x', options: { topP: 7 } } });
    send({ kind: 'request', id: 8, method: 'nope' });
    send({ kind: 'request', id: 9, method: 'shutdown' });
    await settle();
    await settle();
    assert.deepEqual(posted.slice(1), [
      { kind: 'error', id: 8, error: { code: 'BAD_REQUEST', message: 'message.method must be one of load, unload, generate, prefill, classify, embed, zeroShot, trainClassifier, score, countTokens, status, shutdown (got "nope")' } },
      { kind: 'error', id: 7, error: { code: 'BAD_REQUEST', message: 'generate.params.options.topP must be a number in [0, 1] (got 7)' } },
      { kind: 'response', id: 9, result: {} },
    ]);
  });
});
