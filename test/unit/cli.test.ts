import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli';
import { TINY_BERT, TINY_EMBEDDER, TINY_GPT2, TINY_NLI } from './helpers';

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

  it('classify --file writes the labels of every line to a new file beside it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-'));
    const f = path.join(dir, 'lines.txt');
    fs.writeFileSync(f, 'first line\n\nsecond line\n');
    try {
      const r = await cli('classify', '--model', TINY_BERT, '--file', f, '--json');
      assert.equal(r.code, 0, r.err);
      const j = JSON.parse(r.out);
      assert.equal(j.records, 2);
      assert.equal(j.output, path.join(dir, 'lines.classified.csv'));
      const rows = fs.readFileSync(j.output, 'utf8').trim().split('\n');
      assert.equal(rows[0], 'line,text,predicted_label,score');
      assert.match(rows[2], /^3,second line,(negative|neutral|positive),0\.\d+$/);
      assert.equal(fs.readFileSync(f, 'utf8'), 'first line\n\nsecond line\n');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('teach, then classify and eval with the taught classifier; zero-shot with --labels', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-'));
    try {
      const data = path.join(dir, 'ex.csv');
      const rows = ['text,label', ...['def f(): pass', 'import os', 'x = 1 + 2', 'return None'].map((t) => `"${t}",code`), ...['Hello there friend', 'See you soon', 'Lovely weather', 'Thanks a lot'].map((t) => `${t},prose`)];
      fs.writeFileSync(data, `${rows.join('\n')}\n`);
      const out = path.join(dir, 'kind.json');
      const t = await cli('teach', '--encoder', TINY_EMBEDDER, '--data', data, '--name', 'kind', '--out', out);
      assert.equal(t.code, 0, t.err);
      assert.match(t.out, /taught "kind" from 8 examples \(code 4, prose 4\)/);
      assert.match(t.out, /4-fold cross-validated accuracy/);
      const e = await cli('eval', '--model', out, '--data', data, '--json');
      assert.equal(e.code, 0, e.err);
      const report = JSON.parse(e.out);
      assert.equal(report.method, 'few-shot');
      assert.equal(report.count, 8);
      assert.equal(report.accuracy, 1, 'the head reproduces its own examples');
      const z = await cli('classify', '--model', TINY_NLI, '--labels', 'bug, feature,question', '--text', 'it crashes', '--json');
      assert.equal(z.code, 0, z.err);
      const zj = JSON.parse(z.out);
      assert.equal(zj.method, 'zero-shot (nli)');
      assert.deepEqual(zj.results[0].map((x: { label: string }) => x.label).sort(), ['bug', 'feature', 'question']);
      const md = path.join(dir, 'report.md');
      const m = await cli('eval', '--model', TINY_NLI, '--labels', 'code,prose', '--data', data, '--markdown', md);
      assert.equal(m.code, 0, m.err);
      assert.match(fs.readFileSync(md, 'utf8'), /^# Evaluation: tiny-bert-nli on ex\.csv/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
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
      [['classify', '--model', TINY_BERT, '--labels', 'one'], 2, /--labels needs at least two/],
      [['classify', '--model', TINY_BERT, '--file', '/no/such.csv'], 2, /\/no\/such.csv does not exist/],
      [['eval', '--model', TINY_BERT], 2, /--data F is required/],
      [['teach', '--encoder', TINY_EMBEDDER], 2, /--data F is required/],
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
