/**
 * Prompts and texts from files and standard input (`--prompt-file`, `--text-file`, `-`): argv
 * cannot carry a long prompt (a 189 KB argument fails with E2BIG before the CLI starts).
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { main } from '../../src/cli/main';
import { ROOT, TINY_BERT, TINY_EMBEDDER, TINY_GPT2 } from './helpers';

async function cli(args: string[], stdin?: string) {
  let out = '';
  let err = '';
  const code = await main(args, { out: (s) => (out += s), err: (s) => (err += s), stdin: stdin === undefined ? undefined : Readable.from([Buffer.from(stdin)]) });
  return { code, out, err };
}

/** A long Python-ish prompt: ~189 KB, as in the report. */
const LONG_PROMPT = Array.from({ length: 4000 }, (_, i) => `value_${i} = compute(${i}, "x" * ${i % 7})\n`).join('').slice(0, 189_000);

describe('CLI input from files and standard input', () => {
  let dir: string;
  const write = (name: string, text: string | Buffer) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-input-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('--prompt-file gives the model exactly what --prompt would (greedy, same tokens)', async () => {
    const prompt = 'def area(width, height):\n    return ';
    const f = write('p.py', prompt);
    const a = JSON.parse((await cli(['generate', '--model', TINY_GPT2, '--prompt', prompt, '--max-new-tokens', '6', '--temperature', '0', '--json'])).out);
    const b = await cli(['generate', '--model', TINY_GPT2, '--prompt-file', f, '--max-new-tokens', '6', '--temperature', '0', '--json']);
    assert.equal(b.code, 0, b.err);
    const bj = JSON.parse(b.out);
    assert.deepEqual(bj.tokenIds, a.tokenIds);
    assert.equal(bj.stats.promptTokens, a.stats.promptTokens);
  });

  it('a 189 KB prompt from a file and from standard input; the model keeps what fits its context', async () => {
    const f = write('long.py', LONG_PROMPT);
    const r = await cli(['generate', '--model', TINY_GPT2, '--prompt-file', f, '--max-new-tokens', '3', '--temperature', '0', '--json']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(j.stats.newTokens, 3);
    assert.ok(j.stats.truncatedTokens > 0, 'the prompt was longer than the context');
    const s = await cli(['generate', '--model', TINY_GPT2, '--prompt-file', '-', '--max-new-tokens', '3', '--temperature', '0', '--json'], LONG_PROMPT);
    assert.equal(s.code, 0, s.err);
    assert.deepEqual(JSON.parse(s.out).tokenIds, j.tokenIds);
  });

  it('the real binary reads a 189 KB prompt from a pipe (argv cannot carry it)', async () => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'onnx-assist.js'), 'generate', '--model', TINY_GPT2, '--prompt-file', '-', '--max-new-tokens', '2', '--temperature', '0', '--json'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdin.end(LONG_PROMPT);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0, err);
    assert.equal(JSON.parse(out).stats.newTokens, 2);
  });

  it('--text-file for classify and embed, several files, and - for standard input; a BOM is dropped', async () => {
    const a = write('a.txt', '\uFEFFthis is great');
    const b = write('b.txt', 'this is awful\n');
    const byText = JSON.parse((await cli(['classify', '--model', TINY_BERT, '--text', 'this is great', '--text', 'this is awful\n', '--json'])).out);
    const byFile = await cli(['classify', '--model', TINY_BERT, '--text-file', a, '--text-file', b, '--json']);
    assert.equal(byFile.code, 0, byFile.err);
    assert.deepEqual(JSON.parse(byFile.out).results, byText.results);
    const stdin = await cli(['embed', '--model', TINY_EMBEDDER, '--text-file', '-', '--json'], 'this is great');
    assert.equal(stdin.code, 0, stdin.err);
    const direct = JSON.parse((await cli(['embed', '--model', TINY_EMBEDDER, '--text', 'this is great', '--json'])).out);
    assert.deepEqual(JSON.parse(stdin.out).vectors, direct.vectors);
  });

  it('invalid UTF-8 and control bytes in a prompt or text file are read, not refused (as from argv)', async () => {
    const f = write('bad.txt', Buffer.from([0x68, 0x69, 0xff, 0xfe, 0x00, 0x07, 0x0a]));
    const r = await cli(['classify', '--model', TINY_BERT, '--text-file', f, '--json']);
    assert.equal(r.code, 0, r.err);
    assert.equal(JSON.parse(r.out).results.length, 1);
    const g = await cli(['generate', '--model', TINY_GPT2, '--prompt-file', f, '--max-new-tokens', '2', '--temperature', '0', '--json']);
    assert.equal(g.code, 0, g.err);
    assert.equal(JSON.parse(g.out).stats.newTokens, 2);
  });

  it('a missing file, a folder, an empty file and conflicting flags are usage errors with one line', async () => {
    const empty = write('empty.txt', ' \n');
    const p = write('p.txt', 'x');
    const cases: [string[], RegExp][] = [
      [['generate', '--model', TINY_GPT2, '--prompt-file', path.join(dir, 'nope.txt')], /^onnx-assist: --prompt-file: .*nope\.txt does not exist\n$/],
      [['generate', '--model', TINY_GPT2, '--prompt-file', dir], /^onnx-assist: --prompt-file: .* is a folder; give a file, or - to read standard input\n$/],
      [['generate', '--model', TINY_GPT2, '--prompt', 'x', '--prompt-file', p], /^onnx-assist: give --prompt TEXT or --prompt-file PATH, not both\n$/],
      [['generate', '--model', TINY_GPT2, '--prompt-file', ''], /^onnx-assist: --prompt-file needs a file path \(or - for standard input\)\n$/],
      [['classify', '--model', TINY_BERT, '--text', 'x', '--text-file', p], /^onnx-assist: give --text or --text-file, not both\n$/],
      [['classify', '--model', TINY_BERT, '--text-file', empty], /^onnx-assist: --text-file: .*empty\.txt is empty; give the text to classify\n$/],
      [['embed', '--model', TINY_EMBEDDER, '--text-file', path.join(dir, 'nope.txt')], /^onnx-assist: --text-file: .*nope\.txt does not exist\n$/],
      [['classify', '--model', TINY_BERT, '--text-file', '-', '--text-file', '-'], /^onnx-assist: --text-file - \(standard input\) can be given once\n$/],
    ];
    for (const [args, pattern] of cases) {
      const r = await cli(args, '');
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
      assert.match(r.err, pattern, args.join(' '));
    }
    const stdinEmpty = await cli(['classify', '--model', TINY_BERT, '--text-file', '-'], '');
    assert.equal(stdinEmpty.code, 2);
    assert.match(stdinEmpty.err, /--text-file: standard input is empty/);
  });
});
