/**
 * Pulling models from the Hub emulator (a real HTTP server on 127.0.0.1) with faults on demand:
 * dropped connections, ignored Range, corrupted bytes, slow links, cancellation, 404, 401,
 * hostile file names, no disk space, two pulls at once, and offline use of the cache.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { HostClient } from '../../src/client/hostClient';
import { cachedSnapshot, deleteCached, listCached, pullModel, type PullOptions } from '../../src/core/hub/download';
import { readCatalog } from '../../src/core/hub/catalog';
import { DTYPE_SUFFIX, HubError, parseRepoRef, safeRelativePath } from '../../src/core/hub/names';
import { HubEmulator } from '../hub/emulator';
import { main } from '../../src/cli/main';
import { newClient, rejection, ROOT, TINY_GPT2 } from './helpers';

const REPO = 'onnx-assist/tiny-gpt2';

describe('model downloads from a Hub emulator', () => {
  let hub: HubEmulator;
  let cache: string;
  const opts = (over: Partial<PullOptions> = {}): PullOptions => ({ endpoint: hub.url, cacheDir: cache, repo: REPO, revision: 'main', dtype: 'fp32', ...over });
  const onnxGets = () => hub.requests.filter((r) => r.method === 'GET' && r.url.startsWith('/cdn/'));
  const leftovers = (dir: string) => fs.readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.incomplete'));

  before(async () => {
    hub = new HubEmulator();
    hub.addRepo(REPO, TINY_GPT2);
    hub.addRepo('onnx-assist/gated', TINY_GPT2, { gated: true });
    await hub.start();
  });
  after(() => hub.stop());
  beforeEach(() => {
    cache = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-cache-'));
    hub.clearFaults();
    hub.requests.length = 0;
  });
  afterEach(() => fs.rmSync(cache, { recursive: true, force: true }));

  it('pulls, verifies and records the resolved commit; the folder runs like the original', async () => {
    const progress: number[] = [];
    const m = await pullModel(opts({ onProgress: (p) => progress.push(p.bytes / p.totalBytes) }));
    assert.equal(m.commit, hub.commitOf(REPO));
    assert.equal(m.offline, false);
    for (const f of ['config.json', 'tokenizer.json', 'onnx/model.onnx']) {
      assert.deepEqual(fs.readFileSync(path.join(m.dir, f)), fs.readFileSync(path.join(TINY_GPT2, f)), f);
    }
    assert.ok(m.files.find((f) => f.name === 'onnx/model.onnx')?.sha256, 'LFS files carry their sha256');
    assert.equal(progress.at(-1), 1);
    assert.deepEqual(listCached(cache).map((c) => [c.repo, c.dtype, c.commit]), [[REPO, 'fp32', m.commit]]);
    const client: HostClient = newClient();
    try {
      const prompt = 'def add(a, b):';
      const a = await client.request('generate', { modelPath: m.dir, prompt, options: { doSample: false, maxNewTokens: 12 } });
      const b = await client.request('generate', { modelPath: TINY_GPT2, prompt, options: { doSample: false, maxNewTokens: 12 } });
      assert.deepEqual(a.tokenIds, b.tokenIds);
    } finally {
      await client.dispose();
    }
    // A second pull finds everything in place and downloads nothing.
    const gets = onnxGets().length;
    await pullModel(opts());
    assert.equal(onnxGets().length, gets);
  });

  for (const at of [0.3, 0.99]) {
    it(`a connection cut at ${at * 100}% resumes with Range and ends verified`, async () => {
      hub.fault('model.onnx', { kind: 'cut', at });
      const m = await pullModel(opts());
      const ranged = onnxGets().filter((r) => r.range);
      assert.equal(ranged.length, 1, 'one resumed request');
      assert.match(ranged[0].range!, /^bytes=\d+-$/);
      assert.deepEqual(fs.readFileSync(path.join(m.dir, 'onnx/model.onnx')), fs.readFileSync(path.join(TINY_GPT2, 'onnx/model.onnx')));
      assert.deepEqual(leftovers(cache), []);
    });
  }

  it('a server that ignores Range (200) restarts the file instead of appending', async () => {
    hub.fault('model.onnx', { kind: 'cut', at: 0.5 });
    hub.fault('model.onnx', { kind: 'ignoreRange' });
    const m = await pullModel(opts());
    assert.deepEqual(fs.readFileSync(path.join(m.dir, 'onnx/model.onnx')), fs.readFileSync(path.join(TINY_GPT2, 'onnx/model.onnx')));
  });

  it('right size, wrong bytes: the file is deleted and the reason given; no snapshot is recorded', async () => {
    hub.fault('model.onnx', { kind: 'corrupt' });
    const e = await rejection(pullModel(opts()));
    assert.ok(e instanceof HubError && e.code === 'MISMATCH', e.message);
    assert.match(e.message, /failed verification: sha256 .* deleted/);
    assert.deepEqual(leftovers(cache), []);
    assert.equal(cachedSnapshot(opts()), undefined);
    assert.deepEqual(listCached(cache), []);
  });

  it('small (git) files are checked against their git blob id from ETag', async () => {
    hub.fault('tokenizer.json', { kind: 'corrupt' });
    const e = await rejection(pullModel(opts()));
    assert.equal((e as HubError).code, 'MISMATCH', e.message);
    assert.match(e.message, /tokenizer\.json failed verification: git blob id/);
    assert.deepEqual(leftovers(cache), []);
  });

  it('cancelling a slow download keeps what arrived; the next pull resumes it', async () => {
    hub.fault('model.onnx', { kind: 'slow', bytesPerSecond: 100_000 });
    const ac = new AbortController();
    const pulling = pullModel(opts({ signal: ac.signal, onProgress: (p) => p.file.endsWith('.onnx') && p.bytes > 0.1 * p.totalBytes && ac.abort() }));
    const e = await rejection(pulling);
    assert.equal((e as HubError).code, 'CANCELLED', e.message);
    assert.equal(leftovers(cache).length, 1, 'the partial file stays for resuming');
    const m = await pullModel(opts());
    assert.ok(onnxGets().at(-1)?.range, 'resumed with Range');
    assert.deepEqual(fs.readFileSync(path.join(m.dir, 'onnx/model.onnx')), fs.readFileSync(path.join(TINY_GPT2, 'onnx/model.onnx')));
  });

  it('404 and 401 say what is wrong; the token is used for the Hub but never sent to the CDN', async () => {
    assert.match((await rejection(pullModel(opts({ repo: 'nobody/nothing' })))).message, /nobody\/nothing@main: not found/);
    const e = await rejection(pullModel(opts({ repo: 'onnx-assist/gated' })));
    assert.equal((e as HubError).code, 'UNAUTHORIZED');
    assert.match(e.message, /needs a Hugging Face token/);
    assert.match((await rejection(pullModel(opts({ repo: 'onnx-assist/gated', token: 'wrong' })))).message, /refused the token/);
    hub.requests.length = 0;
    await pullModel(opts({ repo: 'onnx-assist/gated', token: hub.token }));
    assert.ok(hub.requests.some((r) => r.url.includes('/resolve/') && r.authorization === `Bearer ${hub.token}`));
    assert.ok(onnxGets().length > 0 && onnxGets().every((r) => r.authorization === undefined), 'no token at the CDN');
    hub.fault('config.json', { kind: 'notFound' });
    assert.equal((await rejection(pullModel(opts({ revision: hub.commitOf(REPO) })))).message.includes('not found'), true);
  });

  it('refuses file names with .., absolute, drive or UNC paths', async () => {
    for (const bad of ['../evil.onnx', '/etc/passwd', 'C:/x.onnx', '\\\\server\\share\\x', 'onnx/../../x', 'a//b']) {
      assert.throws(() => safeRelativePath(bad), /not a plain relative path/, bad);
    }
    hub.extraSiblings.set(REPO, ['onnx/../../../outside.onnx']);
    try {
      assert.match((await rejection(pullModel(opts()))).message, /refusing it/);
    } finally {
      hub.extraSiblings.delete(REPO);
    }
    assert.throws(() => parseRepoRef('../x'), /not a Hub repository id/);
    assert.deepEqual(parseRepoRef('Xenova/distilgpt2@v1.0'), { repo: 'Xenova/distilgpt2', revision: 'v1.0' });
  });

  it('not enough disk space: stops before downloading and keeps the model that was there', async () => {
    const m = await pullModel(opts());
    const before = fs.readFileSync(path.join(m.dir, 'onnx/model.onnx'));
    fs.rmSync(path.join(m.dir, 'onnx/model.onnx'));
    fs.writeFileSync(path.join(m.dir, 'onnx/model.onnx'), before); // still intact
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-cache-'));
    try {
      const e = await rejection(pullModel(opts({ cacheDir: other, freeBytes: () => 1000 })));
      assert.equal((e as HubError).code, 'NO_SPACE');
      assert.match(e.message, /needs \d+ MB more but only 0 MB are free/);
      assert.deepEqual(leftovers(other), []);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
    assert.deepEqual(fs.readFileSync(path.join(m.dir, 'onnx/model.onnx')), before);
  });

  it('a disk that fills up mid-download (ENOSPC) stops at once, removes the partial file and keeps what was there', function () {
    // A real full disk: a 400 KB tmpfs (needs root, as CI runs; skipped with the reason otherwise).
    const small = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-full-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=400k', 'tmpfs', small], { stdio: 'ignore' });
    } catch {
      fs.rmSync(small, { recursive: true, force: true });
      this.skip(); // not permitted to mount here
    }
    const run = async () => {
      const keep = path.join(small, 'earlier-model.txt');
      fs.writeFileSync(keep, 'an earlier model');
      const e = await rejection(pullModel(opts({ cacheDir: small, freeBytes: () => 1e12 })));
      assert.equal((e as HubError).code, 'NO_SPACE', e.message);
      assert.match(e.message, /disk is full while writing onnx\/model\.onnx; the partial file was removed/);
      assert.deepEqual(leftovers(small), []);
      assert.equal(fs.readFileSync(keep, 'utf8'), 'an earlier model');
    };
    return run().finally(() => {
      execFileSync('umount', [small]);
      fs.rmSync(small, { recursive: true, force: true });
    });
  });

  it('two pulls of the same model at once produce one correct copy, each file fetched once', async () => {
    hub.fault('model.onnx', { kind: 'slow', bytesPerSecond: 2_000_000 });
    const [a, b] = await Promise.all([pullModel(opts()), pullModel(opts())]);
    assert.equal(a.dir, b.dir);
    assert.equal(onnxGets().length, 1);
    assert.deepEqual(fs.readFileSync(path.join(a.dir, 'onnx/model.onnx')), fs.readFileSync(path.join(TINY_GPT2, 'onnx/model.onnx')));
  });

  it('offline, the cached revision is used; a missing dtype names the variants there', async () => {
    const m = await pullModel(opts());
    const off = await pullModel(opts({ endpoint: 'http://127.0.0.1:9' }));
    assert.equal(off.offline, true);
    assert.equal(off.dir, m.dir);
    await assert.rejects(pullModel(opts({ endpoint: 'http://127.0.0.1:9', repo: 'onnx-assist/gated' })), /Could not reach/);
    assert.match((await rejection(pullModel(opts({ dtype: 'q4' })))).message, /No q4 ONNX model in this repository\. Variants here: fp32/);
    assert.equal(deleteCached(cache, REPO), true);
    assert.deepEqual(listCached(cache), []);
  });

  it('CLI: pull shows progress and prints where the model is; models lists and deletes', async () => {
    let out = '';
    let err = '';
    const io = { out: (t: string) => (out += t), err: (t: string) => (err += t) };
    hub.fault('model.onnx', { kind: 'slow', bytesPerSecond: 1_500_000 });
    assert.equal(await main(['pull', `${REPO}@main`, '--endpoint', hub.url, '--cache', cache], io), 0, err);
    assert.match(err, /\[#+\.*\] [\d.]+ [KMG]B \/ [\d.]+ [KMG]B [\d.]+ [KMG]B\/s/);
    assert.match(out, new RegExp(`${REPO}@main \\(fp32, commit [0-9a-f]{10}\\) -> `));
    out = '';
    assert.equal(await main(['models', '--cache', cache, '--json'], io), 0);
    assert.equal(JSON.parse(out).models[0].repo, REPO);
    out = '';
    assert.equal(await main(['models', '--cache', cache, '--delete', REPO], io), 0);
    assert.match(out, /deleted/);
    err = '';
    assert.equal(await main(['pull', 'not a repo', '--cache', cache], io), 2, 'a malformed repository id is a usage error');
    assert.match(err, /is not a Hub repository id/);
  });
});

describe('model catalog', () => {
  it('every entry names a task, licence, sizes per dtype and a recommended variant that exists', () => {
    const entries = readCatalog(path.join(ROOT, 'models', 'catalog.json'));
    assert.ok(entries.length >= 8);
    for (const e of entries) {
      parseRepoRef(e.repo);
      assert.ok(e.licence && e.architecture && e.sizeSource, e.repo);
      for (const d of Object.keys(e.sizesMB)) assert.ok(d in DTYPE_SUFFIX, `${e.repo}: ${d}`);
      for (const d of Object.values(e.recommended)) assert.ok(d in e.sizesMB, `${e.repo}: recommended ${d} has a size`);
    }
  });
});
