import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HostClient } from '../../src/client/hostClient';
import { processEndpoint, workerEndpoint, type HostEndpoint } from '../../src/client/endpoint';
import { Engine } from '../../src/host/engine';
import type { HostError } from '../../src/protocol/errors';
import type { GenerationOptions } from '../../src/protocol/types';
import { fixture, newClient, rejection, ROOT, TINY_GPT2, TINY_GPT2_FIM, TINY_GPT2_MERGED } from './helpers';
import { makeSlowModel } from './slowModel';

const GREEDY: GenerationOptions = { doSample: false, maxNewTokens: 24 };
const PROMPT = 'import os\n\ndef read_config(path):\n    with open(path) as f:\n';

describe('generation through the worker host', () => {
  let client: HostClient;
  beforeEach(() => (client = newClient()));
  afterEach(() => client.dispose());

  it('greedy decoding is deterministic and the streamed text equals the final text', async () => {
    let streamed = '';
    const a = await client.request('generate', { modelPath: TINY_GPT2, prompt: PROMPT, options: GREEDY }, { onEvent: (e) => (streamed += e.text) });
    const b = await client.request('generate', { modelPath: TINY_GPT2, prompt: PROMPT, options: GREEDY });
    assert.equal(a.texts[0], b.texts[0]);
    assert.equal(streamed, a.texts[0]);
    assert.equal(a.stats.newTokens, 24);
    assert.equal(a.stopReasons[0], 'length');
    assert.ok(a.stats.promptTokens > 5);
    assert.equal(a.stats.ep, 'cpu');
  });

  it('reuses the KV cache of a shared prefix, with the same greedy output as a cold run', async () => {
    const longer = `${PROMPT}        data = f.read()\n`;
    await client.request('generate', { modelPath: TINY_GPT2, prompt: PROMPT, options: GREEDY });
    const warm = await client.request('generate', { modelPath: TINY_GPT2, prompt: longer, options: GREEDY });
    assert.ok(warm.stats.reusedTokens > 5, `reused ${warm.stats.reusedTokens}`);
    const cold = newClient();
    try {
      const c = await cold.request('generate', { modelPath: TINY_GPT2, prompt: longer, options: GREEDY });
      assert.equal(c.stats.reusedTokens, 0);
      assert.equal(warm.texts[0], c.texts[0]);
    } finally {
      await cold.dispose();
    }
  });

  it('reuses the whole previous sequence when the next prompt continues the generated text', async () => {
    const first = await client.request('generate', { modelPath: TINY_GPT2, prompt: PROMPT, options: GREEDY });
    const next = await client.request('generate', { modelPath: TINY_GPT2, prompt: PROMPT + first.texts[0], options: GREEDY });
    assert.ok(next.stats.reusedTokens >= first.stats.promptTokens, `reused ${next.stats.reusedTokens}`);
    const cold = newClient();
    try {
      const c = await cold.request('generate', { modelPath: TINY_GPT2, prompt: PROMPT + first.texts[0], options: GREEDY });
      assert.equal(next.texts[0], c.texts[0]);
    } finally {
      await cold.dispose();
    }
  });

  it('a legacy merged decoder (use_cache_branch, num_logits_to_keep) gives the same text as model.onnx', async () => {
    const plain = await client.request('generate', { modelPath: TINY_GPT2, prompt: PROMPT, options: GREEDY });
    const merged = await client.request('generate', { modelPath: TINY_GPT2_MERGED, prompt: PROMPT, options: GREEDY });
    const info = await client.request('load', { modelPath: TINY_GPT2_MERGED });
    assert.ok(info.inputNames.includes('use_cache_branch') && info.inputNames.includes('num_logits_to_keep'));
    assert.equal(merged.texts[0], plain.texts[0]);
  });

  it('stop sequences end the text before the stop string', async () => {
    const free = await client.request('generate', { modelPath: TINY_GPT2, prompt: PROMPT, options: GREEDY });
    const stop = free.texts[0].slice(6, 9);
    assert.ok(stop.length === 3);
    const r = await client.request('generate', { modelPath: TINY_GPT2, prompt: PROMPT, options: { ...GREEDY, stop: [stop] } });
    assert.equal(r.stopReasons[0], 'stop');
    assert.equal(r.texts[0], free.texts[0].slice(0, free.texts[0].indexOf(stop)));
  });

  it('sampling with a seed is reproducible and gives several candidates', async () => {
    const opts: GenerationOptions = { doSample: true, temperature: 1.2, topK: 40, topP: 0.95, maxNewTokens: 16, numReturnSequences: 3, seed: 1234 };
    const a = await client.request('generate', { modelPath: TINY_GPT2, prompt: PROMPT, options: opts });
    const b = await client.request('generate', { modelPath: TINY_GPT2, prompt: PROMPT, options: opts });
    assert.equal(a.texts.length, 3);
    assert.deepEqual(a.texts, b.texts);
    assert.equal(a.stats.seed, 1234);
    assert.ok(new Set(a.texts).size > 1, 'three samples should not all be equal');
    const c = await client.request('generate', { modelPath: TINY_GPT2, prompt: PROMPT, options: { ...opts, seed: 99 } });
    assert.notDeepEqual(c.texts, a.texts);
  });

  it('repetition controls change greedy output and are honoured', async () => {
    const base = await client.request('generate', { modelPath: TINY_GPT2, prompt: PROMPT, options: { ...GREEDY, maxNewTokens: 40 } });
    const noRepeat = await client.request('generate', { modelPath: TINY_GPT2, prompt: PROMPT, options: { ...GREEDY, maxNewTokens: 40, noRepeatNgramSize: 2, repetitionPenalty: 1.5 } });
    assert.notEqual(noRepeat.texts[0], base.texts[0]);
  });

  it('several candidates need sampling: greedy with numReturnSequences > 1 is a clear error', async () => {
    const e = await rejection(client.request('generate', { modelPath: TINY_GPT2, prompt: PROMPT, options: { doSample: false, numReturnSequences: 2 } }));
    assert.equal(e.code, 'BAD_REQUEST');
    assert.match(e.message, /needs sampling/);
  });

  it('an empty prompt starts from BOS', async () => {
    const r = await client.request('generate', { modelPath: TINY_GPT2, prompt: '', options: { ...GREEDY, maxNewTokens: 5 } });
    assert.equal(r.stats.promptTokens, 1);
    assert.equal(r.stats.newTokens, 5);
  });

  it('an empty prompt on a model without BOS is a clear error', async () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'nobos-'));
    try {
      fs.cpSync(TINY_GPT2, d, { recursive: true });
      for (const f of ['config.json', 'generation_config.json', 'tokenizer_config.json']) {
        const j = JSON.parse(fs.readFileSync(path.join(d, f), 'utf8'));
        delete j.bos_token_id;
        delete j.bos_token;
        fs.writeFileSync(path.join(d, f), JSON.stringify(j));
      }
      const e = await rejection(client.request('generate', { modelPath: d, prompt: '' }));
      assert.equal(e.code, 'BAD_REQUEST');
      assert.match(e.message, /prompt is empty and this model has no BOS token/);
    } finally {
      fs.rmSync(d, { recursive: true, force: true });
    }
  });

  it('a prompt longer than the context is left-truncated and the truncation reported', async () => {
    const long = 'def f(x):\n    return x + 1\n'.repeat(60);
    const r = await client.request('generate', { modelPath: TINY_GPT2, prompt: long, options: { ...GREEDY, maxNewTokens: 10 } });
    assert.ok(r.stats.truncatedTokens > 0);
    // Whole 64-token blocks are dropped, so the prompt start stays put while typing.
    const kept = r.stats.promptTokens - r.stats.truncatedTokens;
    assert.ok(kept + 10 <= 128 && kept + 10 > 128 - 64, `kept ${kept}`);
    assert.equal(r.stats.truncatedTokens % 64, 0);
    assert.equal(r.stats.newTokens, 10);
  });

  it('fill-in-the-middle: a suffix builds <fim_prefix> prefix <fim_suffix> suffix <fim_middle>', async () => {
    const info = await client.request('load', { modelPath: TINY_GPT2_FIM });
    assert.equal(info.fim, true);
    const prefix = 'def area(r):\n    return ';
    const suffix = '\n\nprint(area(2))\n';
    const r = await client.request('generate', { modelPath: TINY_GPT2_FIM, prompt: prefix, suffix, options: GREEDY });
    assert.equal(r.stats.fim, true);
    // The same tokens written out as text (special tokens are parsed as such) give the same output.
    const literal = await client.request('generate', { modelPath: TINY_GPT2_FIM, prompt: `<fim_prefix>${prefix}<fim_suffix>${suffix}<fim_middle>`, options: GREEDY });
    assert.deepEqual(r.tokenIds, literal.tokenIds);
    // A model without FIM tokens completes from the prefix alone.
    const plain = await client.request('generate', { modelPath: TINY_GPT2, prompt: prefix, suffix, options: GREEDY });
    assert.equal(plain.stats.fim, false);
  });

  for (const [name, [pre, suf, mid]] of [
    ['tiny-qwen2', ['<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>']],
    ['tiny-bigcode', ['<fim_prefix>', '<fim_suffix>', '<fim_middle>']],
  ] as const) {
    it(`fill-in-the-middle with ${name}'s own tokens (${pre})`, async () => {
      const dir = fixture(name);
      const prefix = 'def area(r):\n    return ';
      const suffix = '\n\nprint(area(2))\n';
      const r = await client.request('generate', { modelPath: dir, prompt: prefix, suffix, options: GREEDY });
      assert.equal(r.stats.fim, true);
      const literal = await client.request('generate', { modelPath: dir, prompt: `${pre}${prefix}${suf}${suffix}${mid}`, options: GREEDY });
      assert.deepEqual(r.tokenIds, literal.tokenIds);
    });
  }

  it('an onnxruntime-genai folder (genai_config.json, past_key_%d names) generates exactly as its Optimum source', async () => {
    const genai = fixture('tiny-llama-genai');
    const info = await client.request('load', { modelPath: genai });
    assert.equal(info.task, 'text-generation');
    assert.ok(info.inputNames.includes('past_key_0') && info.outputNames.includes('present_value_1'));
    for (const prompt of ['def add(a, b):', 'import os\n']) {
      const a = await client.request('generate', { modelPath: genai, prompt, options: { ...GREEDY, maxNewTokens: 16 } });
      const b = await client.request('generate', { modelPath: fixture('tiny-llama'), prompt, options: { ...GREEDY, maxNewTokens: 16 } });
      assert.deepEqual(a.tokenIds, b.tokenIds, prompt);
    }
    // KV reuse works with the renamed tensors too.
    const again = await client.request('generate', { modelPath: genai, prompt: 'import os\nimport sys', options: { ...GREEDY, maxNewTokens: 4 } });
    assert.ok(again.stats.reusedTokens > 0);
  });

  it('typing at the end of a long file keeps reusing the KV cache, even past the context', async () => {
    let text = 'def f(x):\n    return x + 1\n'.repeat(40);
    let reused = 0;
    for (const ch of 'value = compute(') {
      text += ch;
      const r = await client.request('generate', { modelPath: TINY_GPT2_FIM, prompt: text, suffix: '\n', options: { doSample: false, maxNewTokens: 4 } });
      reused += r.stats.reusedTokens / (r.stats.promptTokens - r.stats.truncatedTokens);
    }
    assert.ok(reused / 16 > 0.8, `mean share reused ${(reused / 16).toFixed(2)}`);
  });

  it('maxNewTokens beyond the context is clamped, not a crash', async () => {
    const r = await client.request('generate', { modelPath: TINY_GPT2, prompt: 'x', options: { doSample: false, maxNewTokens: 5000 } });
    assert.ok(r.stats.newTokens <= 127);
  });

  it('a time limit stops decoding with reason "time"', async () => {
    // Every forward pass of this model takes far longer than the 1 ms limit, on any machine.
    const slow = makeSlowModel(fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-assist-slow-')), { iterations: 2000 });
    const r = await client.request('generate', { modelPath: slow, prompt: PROMPT, options: { ...GREEDY, maxNewTokens: 100, timeLimitMs: 1 } });
    fs.rmSync(slow, { recursive: true, force: true });
    assert.equal(r.stopReasons[0], 'time');
    assert.ok(r.stats.newTokens < 100);
  });

  it('cancellation stops the decode loop at the step after the host received it', async () => {
    await client.request('load', { modelPath: TINY_GPT2 });
    const ac = new AbortController();
    const p = client.request('generate', { modelPath: TINY_GPT2, prompt: PROMPT, options: { ...GREEDY, maxNewTokens: 120 } }, {
      signal: ac.signal,
      onEvent: () => ac.abort(),
    });
    const e = (await rejection(p)) as HostError;
    assert.equal(e.code, 'CANCELLED');
    // What the host did, not how many token messages raced the cancel: the loop checks the flag
    // after every forward pass, so it stops at most one step after the cancel arrived.
    assert.ok(e.cancel, 'the host reports where it saw the cancel');
    const { receivedAtStep, stoppedAtStep } = e.cancel;
    assert.ok(stoppedAtStep - receivedAtStep <= 1 && stoppedAtStep >= receivedAtStep, `received at step ${receivedAtStep}, stopped at ${stoppedAtStep}`);
    assert.ok(stoppedAtStep < 120);
    // The host is free for the next request and its cache is consistent.
    const r = await client.request('generate', { modelPath: TINY_GPT2, prompt: PROMPT, options: GREEDY });
    const cold = newClient();
    try {
      assert.equal(r.texts[0], (await cold.request('generate', { modelPath: TINY_GPT2, prompt: PROMPT, options: GREEDY })).texts[0]);
    } finally {
      await cold.dispose();
    }
  });

  it('in the engine, the decode loop stops at the step where the cancel flag is seen', async () => {
    const engine = new Engine();
    try {
      const cancel = { cancelled: false };
      let after = 0;
      const e = await rejection(
        engine.generate({ modelPath: TINY_GPT2, prompt: PROMPT, options: { ...GREEDY, maxNewTokens: 100 } }, () => {
          if (cancel.cancelled) after++;
          cancel.cancelled = true;
        }, cancel),
      );
      assert.equal(e.code, 'CANCELLED');
      assert.equal(after, 0);
    } finally {
      await engine.dispose();
    }
  });

  it('a model whose provider fell back is loaded once, not again on every request', async function () {
    if (process.platform !== 'linux') this.skip(); // DirectML never runs on Linux: a sure fallback
    const first = await client.request('load', { modelPath: TINY_GPT2, ep: 'dml' });
    assert.equal(first.ep, 'cpu');
    assert.ok(first.fallbacks.some((f) => /dml/i.test(f)), first.fallbacks.join('; '));
    await client.request('generate', { modelPath: TINY_GPT2, ep: 'dml', prompt: 'x', options: { doSample: false, maxNewTokens: 2 } });
    const again = await client.request('load', { modelPath: TINY_GPT2, ep: 'dml' });
    assert.equal(again.loadMs, first.loadMs, 'the same loaded model (a reload would measure its own load time)');
  });

  it('unload releases the model; the next request loads it again', async () => {
    await client.request('load', { modelPath: TINY_GPT2 });
    assert.equal((await client.request('status', {})).models.length, 1);
    assert.deepEqual(await client.request('unload', { modelPath: TINY_GPT2 }), { unloaded: true });
    assert.equal((await client.request('status', {})).models.length, 0);
    assert.deepEqual(await client.request('unload', { modelPath: TINY_GPT2 }), { unloaded: false });
    const r = await client.request('generate', { modelPath: TINY_GPT2, prompt: 'x', options: { doSample: false, maxNewTokens: 2 } });
    assert.equal(r.stats.newTokens, 2);
  });

  it('an already-aborted signal never reaches the host', async () => {
    const ac = new AbortController();
    ac.abort();
    const e = await rejection(client.request('generate', { modelPath: TINY_GPT2, prompt: 'x' }, { signal: ac.signal }));
    assert.equal(e.code, 'CANCELLED');
  });
});

describe('host lifecycle', () => {
  it('when the host dies mid-generation, pending requests fail clearly and the next request starts a new host', async () => {
    // Killed from outside with SIGKILL, as a native crash would end it. (Process isolation: a
    // worker thread ended mid-run takes its whole process down, which is why isolation exists.)
    let endpoint: HostEndpoint | undefined;
    let spawned = 0;
    const client = new HostClient({
      spawn: () => {
        spawned++;
        endpoint = processEndpoint(path.join(ROOT, 'out', 'src', 'host', 'process.js'));
        return endpoint;
      },
    });
    const states: string[] = [];
    client.onStateChange((s) => states.push(s));
    try {
      let killed = false;
      const p = client.request('generate', { modelPath: TINY_GPT2, prompt: PROMPT, options: { doSample: false, maxNewTokens: 120 } }, {
        onEvent: () => {
          if (!killed) {
            killed = true;
            void endpoint!.terminate();
          }
        },
      });
      const e = await rejection(p);
      assert.equal(e.code, 'HOST_DIED');
      assert.match(e.message, /stopped unexpectedly.*SIGKILL.*restarts on the next request/);
      assert.equal(client.state, 'crashed');
      const r = await client.request('generate', { modelPath: TINY_GPT2, prompt: PROMPT, options: { doSample: false, maxNewTokens: 4 } });
      assert.equal(r.stats.newTokens, 4);
      assert.equal(spawned, 2);
      assert.deepEqual(states, ['starting', 'ready', 'crashed', 'starting', 'ready']);
    } finally {
      await client.dispose();
    }
  });

  it('a worker host that exits is restarted on the next request', async () => {
    let endpoint: HostEndpoint | undefined;
    const client = new HostClient({ spawn: () => (endpoint = workerEndpoint(path.join(ROOT, 'out', 'src', 'host', 'worker.js'))) });
    try {
      await client.request('generate', { modelPath: TINY_GPT2, prompt: PROMPT, options: { doSample: false, maxNewTokens: 2 } });
      await endpoint!.terminate(); // idle: nothing native is running
      assert.equal(client.state, 'crashed');
      const r = await client.request('generate', { modelPath: TINY_GPT2, prompt: PROMPT, options: { doSample: false, maxNewTokens: 2 } });
      assert.equal(r.stats.newTokens, 2);
    } finally {
      await client.dispose();
    }
  });

  it('restart() during a generation on a worker drops it and serves from a new host (no process abort)', async () => {
    const client = newClient();
    try {
      let restarted: Promise<void> | undefined;
      const p = client.request('generate', { modelPath: TINY_GPT2, prompt: PROMPT, options: { doSample: false, maxNewTokens: 120 } }, {
        onEvent: () => {
          restarted ??= client.restart();
        },
      });
      const e = await rejection(p);
      assert.equal(e.code, 'HOST_SHUTDOWN');
      assert.match(e.message, /restarted/);
      await restarted;
      assert.equal(client.state, 'ready', 'restart() resolves once the new host is ready');
      const r = await client.request('generate', { modelPath: TINY_GPT2, prompt: PROMPT, options: { doSample: false, maxNewTokens: 3 } });
      assert.equal(r.stats.newTokens, 3);
    } finally {
      await client.dispose();
    }
  });

  it('process isolation serves the same protocol', async () => {
    const client = new HostClient({ workerPath: path.join(ROOT, 'out', 'src', 'host', 'worker.js'), isolation: 'process' });
    const worker = newClient();
    try {
      const a = await client.request('generate', { modelPath: TINY_GPT2, prompt: PROMPT, options: GREEDY });
      const b = await worker.request('generate', { modelPath: TINY_GPT2, prompt: PROMPT, options: GREEDY });
      assert.deepEqual(a.tokenIds, b.tokenIds);
    } finally {
      await Promise.all([client.dispose(), worker.dispose()]);
    }
  });

  it('restart() replaces the host on purpose and the next request works', async () => {
    const client = newClient();
    try {
      const before = await client.request('status', {});
      await client.restart();
      assert.equal(client.state, 'ready');
      await client.whenRetired();
      assert.equal((await client.request('status', {})).models.length, before.models.length);
      assert.ok((await client.request('status', {})).uptimeMs >= 0);
    } finally {
      await client.dispose();
    }
  });

  it('after dispose, requests fail with HOST_SHUTDOWN', async () => {
    const client = newClient();
    await client.request('status', {});
    await client.dispose();
    const e = await rejection(client.request('status', {}));
    assert.equal(e.code, 'HOST_SHUTDOWN');
  });

  it('malformed messages are answered with BAD_REQUEST and the host keeps serving', async () => {
    let endpoint: HostEndpoint | undefined;
    const client = new HostClient({ spawn: () => (endpoint = workerEndpoint(path.join(ROOT, 'out', 'src', 'host', 'worker.js'))) });
    try {
      await client.request('status', {});
      const replies: unknown[] = [];
      endpoint!.onMessage((m) => replies.push(m));
      endpoint!.post({ kind: 'request', id: 9999, method: 'explode' } as never);
      endpoint!.post('garbage' as never);
      const e = await rejection(client.request('generate', { modelPath: TINY_GPT2, prompt: 'x', options: { topP: 7 } }));
      assert.equal(e.code, 'BAD_REQUEST');
      assert.match(e.message, /topP must be a number in \[0, 1\]/);
      assert.equal((await client.request('status', {})).ortVersion, '1.30.0');
      assert.ok(replies.some((r) => (r as { kind: string; id: number }).kind === 'error' && (r as { id: number }).id === 9999));
    } finally {
      await client.dispose();
    }
  });
});
