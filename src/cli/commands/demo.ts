/**
 * `demo` (what `npm run demo` runs): the embedded default models on a few fixed inputs, so a new
 * user sees completion and classification work before configuring anything. An empty completion
 * fails (exit 1): it means a damaged model folder, not a quiet model.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HostClient } from '../../client/hostClient';
import { CliFailure } from '../args';
import type { CliIO, HostContext } from '../context';

/** Repository root (where models/ lives), from dist/ or out/src/. */
function repoRoot(): string {
  for (let d = __dirname; d !== path.dirname(d); d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'package.json')) && fs.existsSync(path.join(d, 'models'))) return d;
  }
  return process.cwd();
}

/**
 * What the demo asks code-lm: the rest of a line, mid-statement. A 3.4M-parameter model has
 * something to say there (its held-out figure is rest-of-line completion); after a docstring it
 * often ends at once, which made an empty demo.
 */
const DEMO_PROMPTS: { language: string; prompt: string }[] = [
  { language: 'Python', prompt: 'with open(path) as f:\n    data = f.' },
  { language: 'Python', prompt: 'import os\nimport sys\n\n\ndef main():\n    path = os.path.' },
  { language: 'TypeScript', prompt: "import * as fs from 'node:fs';\n\nconst text = fs.readFileSync(" },
];

export interface DemoResult {
  /** New tokens per demo prompt. */
  tokens: number[];
}

/** The embedded default models from a terminal. Fails (exit 1) if the code model writes nothing. */
export async function demo(client: HostClient, io: CliIO, signal?: AbortSignal): Promise<DemoResult> {
  const models = path.join(repoRoot(), 'models');
  let lm = path.join(models, 'code-lm');
  if (!fs.existsSync(path.join(lm, 'config.json'))) {
    lm = path.join(repoRoot(), 'test', 'fixtures', 'models', 'tiny-gpt2');
    io.out(`(models/code-lm is missing, so this runs on a random-weight test model: expect gibberish. Rebuild it with tools/train/train_lm.py.)\n`);
  }
  const shown = path.relative(process.cwd(), lm) || lm;
  io.out(`ONNX Assist demo: ${shown} completes the line you are typing (greedy, streamed).\n`);
  io.out(`It is a 3.4M-parameter model for short local completions, not whole functions; for more: onnx-assist pull onnx-community/Qwen2.5-Coder-0.5B-Instruct --dtype q8\n`);
  const tokens: number[] = [];
  for (const { language, prompt } of DEMO_PROMPTS) {
    io.out(`\n--- ${language}\n${prompt}`);
    const r = await client.request('generate', { modelPath: lm, prompt, options: { maxNewTokens: 24, doSample: false, stop: ['\n'] } }, { signal, onEvent: (e) => io.out(e.text) });
    const s = r.stats;
    tokens.push(s.newTokens);
    io.out(s.newTokens ? '\n' : '   <- nothing: the model ended at once\n');
    io.out(`[${s.newTokens} tokens, first token ${s.timeToFirstTokenMs.toFixed(0)} ms, ${s.tokensPerSecond.toFixed(0)} tokens/s on ${s.ep}]\n`);
  }
  for (const name of ['spam-classifier', 'code-language']) {
    const dir = path.join(models, name);
    if (!fs.existsSync(path.join(dir, 'config.json'))) continue;
    const text = name === 'spam-classifier' ? 'Congratulations! You have been selected to receive a FREE cruise. Click here now!' : 'const add = (a: number, b: number): number => a + b;';
    const c = await client.request('classify', { modelPath: dir, texts: [text], topK: 3 }, { signal });
    io.out(`\n${name}: ${JSON.stringify(text)}\n  ${c.results[0].map((l) => `${l.label} ${(l.score * 100).toFixed(1)}%`).join('  ')}\n`);
  }
  const empty = tokens.filter((n) => n === 0).length;
  if (empty) throw new CliFailure(`demo: ${shown} generated nothing for ${empty} of ${tokens.length} prompts; the model folder may be damaged (npm run eval -- --only code-lm checks it)`);
  return { tokens };
}

/** The command-table entry; `demo()` is what tests and scripts call with a client of their own. */
export async function runDemo({ client, io, signal }: HostContext): Promise<void> {
  await demo(client, io, signal);
}
