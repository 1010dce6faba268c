/**
 * Classification and embeddings on remote engines (issue 13, 1b): Text Embeddings Inference's
 * /embed and /predict and OpenAI's /v1/embeddings, against recorded exchanges of their documented
 * formats (test/fixtures/remote/embeddings/*.json) replayed on 127.0.0.1: batching with several
 * requests in flight and results in input order, retry on 429 (Retry-After), giving up after the
 * last attempt on 503, the key's header.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RemoteEmbedder, RemoteError, type EmbeddingBackend } from '../../src/core/remote';
import { rejection } from './helpers';
import { REMOTE_FIXTURES, ReplayEngine, type Exchange } from './remoteReplay';

interface EmbeddingSample {
  backend: EmbeddingBackend;
  description: string;
  config: { model?: string; endpointPath?: string; apiKey?: string; batchSize?: number; concurrency?: number; attempts?: number; backoffMs?: number };
  call: { method: 'embed' | 'classify'; texts: string[] };
  expect: { result?: unknown; requests: number; authorization?: boolean; error?: { kind: string; includes: string[] } };
  exchanges: Exchange[];
}

const HINTS = { endpoint: '--endpoint', apiKey: 'ONNX_ASSIST_API_KEY', timeout: 'the timeout', fimTemplate: '--fim-template' };
const DIR = path.join(REMOTE_FIXTURES, 'embeddings');

describe('remote embeddings and classification against recorded engine exchanges', () => {
  const engine = new ReplayEngine();
  let url: string;
  before(async () => (url = await engine.listen()));
  after(() => engine.close());

  for (const f of fs.readdirSync(DIR).filter((x) => x.endsWith('.json')).sort()) {
    const s = JSON.parse(fs.readFileSync(path.join(DIR, f), 'utf8')) as EmbeddingSample;
    it(`${f.replace(/\.json$/, '')}: ${s.description}`, async () => {
      engine.exchanges = structuredClone(s.exchanges);
      engine.received.length = 0;
      const { endpointPath, model, ...rest } = s.config;
      const e = new RemoteEmbedder({ backend: s.backend, endpoint: url + (endpointPath ?? ''), model: model ?? '', timeoutMs: 10_000, hints: HINTS, ...rest });
      const p = s.call.method === 'embed' ? e.embed(s.call.texts) : e.classify(s.call.texts);
      if (s.expect.error) {
        const err = await rejection(p);
        assert.ok(err instanceof RemoteError && err.kind === s.expect.error.kind, String(err));
        for (const t of s.expect.error.includes) assert.ok(err.message.includes(t), `${err.message} should include ${t}`);
      } else assert.deepEqual(await p, s.expect.result);
      assert.equal(engine.received.length, s.expect.requests);
      assert.equal(engine.exchanges.length, 0, 'every recorded exchange was used');
      if (s.expect.authorization) assert.ok(engine.received.every((r) => r.headers.authorization === `Bearer ${s.config.apiKey}`));
    });
  }

  it('classification on an OpenAI-compatible server is a configuration error (it only embeds)', async () => {
    const e = new RemoteEmbedder({ backend: 'openai', endpoint: url, model: 'm', timeoutMs: 1000, hints: HINTS });
    const err = await rejection(e.classify(['x']));
    assert.ok(err instanceof RemoteError && err.kind === 'config');
  });
});
