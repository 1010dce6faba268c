import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { demo } from '../../src/cli/main';
import { GENERATION_RANGES, LOAD_RANGES } from '../../src/protocol/validate';
import { cli, newClient, ROOT, TINY_BERT, TINY_EMBEDDER, TINY_GPT2, TINY_NLI } from './helpers';

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

  it('generate fills in the middle with --suffix, with other files as --context-file, and drafts only when asked', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-ctx-'));
    const util = path.join(dir, 'util.py');
    fs.writeFileSync(util, 'def add(a, b):\n    return a + b\n');
    const base = ['generate', '--model', path.join(ROOT, 'test', 'fixtures', 'models', 'tiny-gpt2-fim'), '--prompt', 'x = add(', '--suffix', ')\n', '--max-new-tokens', '4', '--temperature', '0', '--json'];
    const plain = JSON.parse((await cli(...base, '--speculative', 'off')).out);
    assert.equal(plain.stats.fim, true);
    assert.equal(plain.stats.draftTokens, 0);
    const r = await cli(...base, '--context-file', util, '--file-path', 'main.py');
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(j.stats.contextChunks, 1);
    assert.ok(j.stats.promptTokens > plain.stats.promptTokens);
    assert.equal((await cli(...base, '--suffix-file', util)).code, 2);
    assert.equal((await cli(...base, '--context-file', path.join(dir, 'missing.py'))).code, 2);
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

  it('teach lists the skipped records by line and reason; a CSV with only an unclosed quote names its line', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-'));
    try {
      const data = path.join(dir, 'ex.csv');
      const good = ['def f(): pass,code', 'import os,code', 'Hello there friend,prose', 'See you soon,prose'];
      fs.writeFileSync(data, ['text,label', ...good.slice(0, 2), 'no label here,', ...good.slice(2), 'a,b,c', ''].join('\n'));
      const t = await cli('teach', '--encoder', TINY_EMBEDDER, '--data', data, '--name', 'kind', '--out', path.join(dir, 'kind.json'));
      assert.equal(t.code, 0, t.err);
      assert.match(t.out, /taught "kind" from 4 examples \(code 2, prose 2\)\n2 records skipped:\n  line 4: no "label" label\n  line 7: 3 fields where the header has 2\n/);
      const json = JSON.parse((await cli('teach', '--encoder', TINY_EMBEDDER, '--data', data, '--name', 'kind', '--out', path.join(dir, 'kind2.json'), '--json')).out);
      assert.deepEqual(json.skipped, [{ line: 4, reason: 'no "label" label' }, { line: 7, reason: '3 fields where the header has 2' }]);

      const quote = path.join(dir, 'quote.csv');
      fs.writeFileSync(quote, 'text,label\n"it never closes,a\nnext,b\n');
      for (const args of [['classify', '--model', TINY_BERT, '--file', quote], ['teach', '--encoder', TINY_EMBEDDER, '--data', quote, '--name', 'q'], ['eval', '--model', TINY_BERT, '--data', quote]]) {
        const r = await cli(...args);
        assert.equal(r.code, 1, args[0]);
        assert.equal(r.err, `onnx-assist: ${quote} has no readable records: line 2: a quote opened here is never closed, so the rest of the file could not be read.\n`);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('bad input exits non-zero with a one-line reason', async () => {
    const cases: [string[], number, RegExp][] = [
      [['generate', '--model', TINY_GPT2, '--prompt', 'x', '--top-p', 'lots'], 2, /--top-p must be a number from 0 to 1 \(got "lots"\)/],
      [['generate', '--model', TINY_GPT2, '--prompt', 'x', '--top-p', '3'], 2, /--top-p must be from 0 to 1 \(got 3\)/],
      [['generate', '--model', TINY_GPT2], 2, /--prompt TEXT or --prompt-file PATH is required/],
      [['generate', '--model', TINY_GPT2, '--prompt', 'x', '--ep', 'tpu'], 2, /--ep must be one of auto, cpu, cuda, dml, webgpu \(got "tpu"\)/],
      [['generate', '--model', '/no/model', '--prompt', 'x'], 2, /--model: \/no\/model does not exist/],
      [['classify', '--model', TINY_BERT], 2, /give --text T, --text-file PATH or --file F/],
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

  it('a negative value gets the range message, as with "=", not "argument is ambiguous"', async () => {
    const R = GENERATION_RANGES;
    for (const [range, value] of [[R.maxNewTokens, '-1'], [R.temperature, '-1'], [R.topK, '-5'], [R.topP, '-0.5'], [R.seed, '-3']] as const) {
      const spaced = await cli('generate', '--model', TINY_GPT2, '--prompt', 'x', `--${range.flag}`, value);
      const joined = await cli('generate', '--model', TINY_GPT2, '--prompt', 'x', `--${range.flag}=${value}`);
      assert.equal(spaced.code, 2, range.flag);
      assert.equal(spaced.err, `onnx-assist: --${range.flag} must be from ${range.min} to ${range.max} (got ${value})\n`);
      assert.equal(joined.err, spaced.err);
    }
    const forgotten = await cli('generate', '--model', TINY_GPT2, '--prompt', '--json');
    assert.equal(forgotten.code, 2);
    assert.match(forgotten.err, /^onnx-assist: --prompt needs a value \(the next argument, --json, is an option\)\n$/);
  });

  it('every numeric flag is checked against the shared range table and named in the message', async () => {
    for (const range of [...Object.values(GENERATION_RANGES), ...Object.values(LOAD_RANGES)]) {
      const r = await cli('generate', '--model', TINY_GPT2, '--prompt', 'x', `--${range.flag}`, String(range.max + 1));
      assert.equal(r.code, 2, range.flag);
      assert.equal(r.err, `onnx-assist: --${range.flag} must be from ${range.min} to ${range.max} (got ${range.max + 1})\n`);
    }
    const threads = await cli('generate', '--model', TINY_GPT2, '--prompt', 'x', '--threads', '1000');
    assert.equal(threads.err, 'onnx-assist: --threads must be from 0 to 256 (got 1000)\n');
    const frac = await cli('generate', '--model', TINY_GPT2, '--prompt', 'x', '--max-new-tokens', '2.5');
    assert.equal(frac.err, 'onnx-assist: --max-new-tokens must be a whole number from 1 to 32768 (got 2.5)\n');
    const nan = await cli('generate', '--model', TINY_GPT2, '--prompt', 'x', '--temperature', 'NaN');
    assert.equal(nan.err, 'onnx-assist: --temperature must be a number from 0 to 100 (got "NaN")\n');
  });

  it('usage errors exit 2 and failures exit 1 in every command, each with one line and no internal field names', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-'));
    try {
      const data = path.join(dir, 'ex.csv');
      fs.writeFileSync(data, 'text,label\nhello,a\nbye,b\n');
      const noCols = path.join(dir, 'nocol.csv');
      fs.writeFileSync(noCols, 'body\nhello\n');
      const cases: [string[], number, RegExp][] = [
        [['classify', '--model', TINY_BERT, '--text', ''], 2, /--text is empty; give the text to classify/],
        [['classify', '--model', TINY_BERT, '--text', 'fine', '--text', ' \n\t'], 2, /--text \(number 2\) is empty/],
        [['embed', '--model', TINY_EMBEDDER, '--text', ''], 2, /--text is empty; give the text to embed/],
        [['embed', '--model', TINY_EMBEDDER, '--text', '   '], 2, /--text is empty/],
        [['classify', '--model', TINY_BERT, '--text', 'x', '--top-k', '-1'], 2, /--top-k must be from 0 to 100000 \(got -1\)/],
        [['classify', '--model', TINY_BERT, '--text', 'x', '--file', data], 2, /give --text, --text-file or --file, not several/],
        [['classify', '--model', TINY_NLI, '--labels', 'a,b', '--template', 'no slot', '--text', 'x'], 2, /--template must contain \{\} where the label goes/],
        [['classify', '--model', TINY_BERT, '--text', 'x', '--threads', '1000'], 2, /^onnx-assist: --threads must be from 0 to 256/],
        [['generate', '--model', TINY_GPT2, '--prompt', 'x', '--stop', ''], 2, /--stop must not be empty/],
        [['teach', '--encoder', TINY_EMBEDDER, '--data', data, '--name', '../x'], 2, /--name may hold letters, digits/],
        [['teach', '--encoder', '/no/encoder', '--data', data, '--name', 'x'], 2, /--encoder: \/no\/encoder does not exist/],
        [['teach', '--encoder', TINY_EMBEDDER, '--data', dir, '--name', 'x'], 2, /is a folder/],
        [['eval', '--quick'], 2, /Unknown option '--quick'/],
        [['eval'], 2, /eval needs --model M and --data F .*npm run eval/],
        [['eval', '--model', TINY_BERT, '--data', noCols, '--text-column', 'text'], 1, /has no column "text"/],
        [['status', '--model', '/no/model'], 2, /--model: \/no\/model does not exist/],
        [['pull', 'not a repo'], 2, /pull: "not a repo" is not a Hub repository id/],
        [['pull', 'owner/name', '--dtype', 'q3'], 2, /--dtype: Unknown dtype "q3"/],
        [['models', '--cache', dir, '--delete', 'owner/name'], 1, /owner\/name is not in .*; nothing deleted/],
        [['models', '--cache', dir, '--delete', 'nope'], 2, /--delete: "nope" is not a Hub repository id/],
        [['generate', '--model', TINY_BERT, '--prompt', 'x'], 1, /^onnx-assist: [A-Z_]+: /],
        [['embed', '--model', TINY_EMBEDDER], 2, /give --text T or --text-file PATH/],
        [[], 2, /^usage:/],
      ];
      for (const [args, code, pattern] of cases) {
        const r = await cli(...args);
        assert.equal(r.code, code, `${args.join(' ')}: ${r.err}`);
        if (args.length) assert.equal(r.err.split('\n').length, 2, `one line: ${r.err}`);
        assert.match(r.err, pattern, args.join(' '));
        assert.doesNotMatch(r.err, /params\.|options\.\w/, args.join(' '));
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the generation cases from the report: each bad value named with its range, the odd-but-valid ones run', async () => {
    const gen = (...extra: string[]) => cli('generate', '--model', TINY_GPT2, '--prompt', 'x', ...extra);
    const bad: [string[], string][] = [
      [['--max-new-tokens', '0'], '--max-new-tokens must be from 1 to 32768 (got 0)'],
      [['--max-new-tokens', '-1'], '--max-new-tokens must be from 1 to 32768 (got -1)'],
      [['--max-new-tokens', '1e9'], '--max-new-tokens must be from 1 to 32768 (got 1e9)'],
      [['--max-new-tokens', 'ten'], '--max-new-tokens must be a whole number from 1 to 32768 (got "ten")'],
      [['--top-p', '2'], '--top-p must be from 0 to 1 (got 2)'],
      [['--temperature', '-1'], '--temperature must be from 0 to 100 (got -1)'],
      [['--temperature', 'Infinity'], '--temperature must be a number from 0 to 100 (got Infinity)'],
      [['--temperature', '1e308'], '--temperature must be from 0 to 100 (got 1e308)'],
      [['--repetition-penalty', '0'], '--repetition-penalty must be from 0.01 to 100 (got 0)'],
      [['--num-return-sequences', '1000'], '--num-return-sequences must be from 1 to 16 (got 1000)'],
      [['--threads', '1000'], '--threads must be from 0 to 256 (got 1000)'],
      [['--stop', ''], '--stop must not be empty (an empty stop string would end generation before it starts)'],
    ];
    for (const [extra, message] of bad) {
      const r = await gen(...extra);
      assert.equal(r.code, 2, extra.join(' '));
      assert.equal(r.err, `onnx-assist: ${message}\n`);
    }
    const empty = await cli('generate', '--model', TINY_GPT2, '--prompt', '', '--max-new-tokens', '3', '--temperature', '0', '--json');
    assert.equal(empty.code, 0, empty.err);
    assert.equal(JSON.parse(empty.out).stats.newTokens, 3);
    // More new tokens than the model's context (128) holds: it stops at the context, not with an error.
    const long = await cli('generate', '--model', TINY_GPT2, '--prompt', 'x', '--max-new-tokens', '32768', '--temperature', '0', '--json');
    assert.equal(long.code, 0, long.err);
    assert.ok(JSON.parse(long.out).stats.newTokens <= 128);
  });

  it('generate ends its streamed text with a newline on stdout; the stats line goes to stderr', async () => {
    const r = await cli('generate', '--model', TINY_GPT2, '--prompt', 'def f(x):', '--max-new-tokens', '5', '--temperature', '0');
    assert.equal(r.code, 0, r.err);
    assert.ok(r.out.length > 1);
    assert.ok(r.out.endsWith('\n'), JSON.stringify(r.out));
    assert.match(r.err, /^\[\d+ prompt tokens, 5 new, .*, cpu, seed \d+\]\n$/);
  });

  it('the demo shows real output from the default code model on every prompt (greedy)', async () => {
    const client = newClient();
    let out = '';
    try {
      const r = await demo(client, { out: (s) => (out += s), err: () => undefined });
      assert.ok(r.tokens.length >= 2);
      for (const n of r.tokens) assert.ok(n > 0, out);
      assert.match(out, /3\.4M-parameter model for short local completions/);
      assert.doesNotMatch(out, /\[0 tokens/);
    } finally {
      await client.dispose();
    }
    assert.ok(fs.existsSync(path.join(ROOT, 'models', 'code-lm', 'config.json')), 'the demo ran on the shipped model');
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
