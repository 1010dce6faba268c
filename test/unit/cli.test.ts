import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli';
import { TINY_BERT, TINY_GPT2 } from './helpers';

async function cli(...args: string[]) {
  let out = '';
  let err = '';
  const code = await main(args, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

describe('CLI', () => {
  it('generate --json prints one JSON object with texts, stats and the provider', async () => {
    const r = await cli('generate', '--model', TINY_GPT2, '--prompt', 'def f(x):', '--max-new-tokens', '6', '--temperature', '0', '--json');
    assert.equal(r.code, 0);
    const lines = r.out.trim().split('\n');
    assert.equal(lines.length, 1);
    const j = JSON.parse(lines[0]);
    assert.equal(j.texts.length, 1);
    assert.equal(j.stats.newTokens, 6);
    assert.equal(j.stats.ep, 'cpu');
  });

  it('several sequences with a seed are reproducible', async () => {
    const args = ['generate', '--model', TINY_GPT2, '--prompt', 'import', '--max-new-tokens', '5', '--num-return-sequences', '3', '--seed', '9', '--top-k', '20', '--json'];
    const a = JSON.parse((await cli(...args)).out);
    const b = JSON.parse((await cli(...args)).out);
    assert.equal(a.texts.length, 3);
    assert.deepEqual(a.texts, b.texts);
  });

  it('classify reads one text per line from --file', async () => {
    const f = path.join(os.tmpdir(), `cli-${process.pid}.txt`);
    fs.writeFileSync(f, 'first line\n\nsecond line\n');
    try {
      const r = await cli('classify', '--model', TINY_BERT, '--file', f, '--top-k', '1', '--json');
      assert.equal(r.code, 0);
      const j = JSON.parse(r.out);
      assert.equal(j.results.length, 2);
      assert.equal(j.results[0].length, 1);
    } finally {
      fs.rmSync(f);
    }
  });

  it('bad input exits non-zero with a one-line reason', async () => {
    const cases: [string[], number, RegExp][] = [
      [['generate', '--model', TINY_GPT2, '--prompt', 'x', '--top-p', 'lots'], 2, /--top-p must be a number/],
      [['generate', '--model', TINY_GPT2, '--prompt', 'x', '--top-p', '3'], 2, /--top-p must be a number in \[0, 1\]/],
      [['generate', '--model', TINY_GPT2], 2, /--prompt TEXT is required/],
      [['generate', '--model', TINY_GPT2, '--prompt', 'x', '--ep', 'tpu'], 1, /Should be one of: auto, cpu, cuda, dml, webgpu/],
      [['generate', '--model', '/no/model', '--prompt', 'x'], 1, /MODEL_NOT_FOUND: Model folder \/no\/model does not exist/],
      [['classify', '--model', TINY_BERT], 2, /give --text T or --file F/],
      [['frobnicate'], 2, /unknown command "frobnicate"/],
      [['generate', '--bogus'], 2, /Unknown option '--bogus'/],
    ];
    for (const [args, code, pattern] of cases) {
      const r = await cli(...args);
      assert.equal(r.code, code, args.join(' '));
      assert.match(r.err.split('\n')[0], pattern, args.join(' '));
    }
  });

  it('status names the provider and why others were passed over', async () => {
    const r = await cli('status', '--model', TINY_GPT2, '--json');
    const s = JSON.parse(r.out);
    assert.equal(s.models[0].ep, 'cpu');
    assert.ok(s.models[0].threads >= 1);
    assert.ok(s.memory.rssMB > 0);
    if (process.platform === 'linux') assert.match(s.models[0].fallbacks[0], /cuda: the CUDA provider is not installed/);
  });
});
