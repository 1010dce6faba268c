/**
 * Classification and embeddings on a remote engine from the CLI (issue 13 part 1b), end to end
 * against our own `onnx-assist serve` and its OpenAI /v1/embeddings: zero-shot by similarity on
 * the engine's vectors scores as the local host does on the same embedding model, and a data
 * file goes through the same batch rules (a new file beside it, the input untouched).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { HostClient } from '../../src/client/hostClient';
import { ModelRegistry } from '../../src/server/models';
import { ApiServer, SERVE_DEFAULTS } from '../../src/server/server';
import { cli, newClient, TINY_EMBEDDER } from './helpers';

describe('remote classification and embeddings (CLI against onnx-assist serve)', () => {
  let client: HostClient;
  let server: ApiServer;
  let url = '';
  before(async () => {
    client = newClient();
    server = new ApiServer(client, await ModelRegistry.load(client, [`embed=${TINY_EMBEDDER}`]), { ...SERVE_DEFAULTS, port: 0, logPrompts: false, log: () => undefined });
    url = `http://127.0.0.1:${(await server.listen()).port}`;
  });
  after(async () => {
    await server.drain(0);
    await client.dispose();
  });

  const texts = ['the invoice total is wrong', 'my parcel never arrived'];

  it('embed --backend openai gives the local vectors', async () => {
    const r = JSON.parse((await cli('embed', '--backend', 'openai', '--endpoint', url, '--remote-model', 'embed', '--text', texts[0], '--json')).out) as { vectors: number[][] };
    const local = JSON.parse((await cli('embed', '--model', TINY_EMBEDDER, '--text', texts[0], '--normalize', '--json')).out) as { vectors: number[][] };
    r.vectors[0].forEach((x, i) => assert.ok(Math.abs(x - local.vectors[0][i]) < 1e-4));
  });

  it('zero-shot by similarity on remote embeddings scores as the local host does', async () => {
    const args = (where: string[]) => ['classify', ...where, '--labels', 'billing,shipping', '--text', texts[0], '--text', texts[1], '--json'];
    const r = await cli(...args(['--backend', 'openai', '--endpoint', url, '--remote-model', 'embed']));
    assert.equal(r.code, 0, r.err);
    const got = JSON.parse(r.out) as { method: string; results: { label: string; score: number }[][] };
    const local = JSON.parse((await cli(...args(['--model', TINY_EMBEDDER]))).out) as typeof got;
    assert.match(got.method, /similarity/);
    got.results.forEach((labels, i) => labels.forEach((l, k) => {
      assert.equal(l.label, local.results[i][k].label);
      assert.ok(Math.abs(l.score - local.results[i][k].score) < 1e-3, `${l.score} vs ${local.results[i][k].score}`);
    }));
  });

  it('a data file on a remote engine: results in a new file beside it, the input untouched', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'remote-classify-'));
    const input = path.join(dir, 'tickets.csv');
    const body = 'id,text\n1,the invoice total is wrong\n2,my parcel never arrived\n3,refund the double charge\n';
    fs.writeFileSync(input, body);
    const r = await cli('classify', '--backend', 'openai', '--endpoint', url, '--remote-model', 'embed', '--labels', 'billing,shipping', '--file', input, '--json');
    assert.equal(r.code, 0, r.err);
    const out = JSON.parse(r.out) as { output: string; records: number };
    assert.equal(out.records, 3);
    assert.equal(fs.readFileSync(input, 'utf8'), body);
    assert.match(fs.readFileSync(out.output, 'utf8'), /predicted_label/);
  });

  it('flags are checked: --backend without --endpoint, --model with --backend, openai without a model name, TEI classification on a server without /predict', async () => {
    assert.equal((await cli('embed', '--backend', 'tei', '--text', 'x')).code, 2);
    assert.equal((await cli('embed', '--backend', 'openai', '--endpoint', url, '--text', 'x')).code, 2);
    assert.equal((await cli('classify', '--backend', 'tei', '--endpoint', url, '--model', TINY_EMBEDDER, '--text', 'x')).code, 2);
    const r = await cli('classify', '--backend', 'tei', '--endpoint', url, '--text', 'x');
    assert.equal(r.code, 1);
    assert.match(r.err, /predict/i);
  });
});
