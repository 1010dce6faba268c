/**
 * `npm run eval`: the quality of the shipped default models, in- and out-of-distribution, as a
 * readable table and, last, one JSON line. A developer harness (it reads the training and
 * evaluation data sets that devDependencies ship), so it lives outside src/ and the product.
 *
 *   node dist/eval.js [--quick] [--only spam-classifier,code-language,code-lm,sentence-encoder] [--onnx-file F] [--encoder DIR]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultWorkerPath, HostClient } from '../../src/client/hostClient';
import { HostError } from '../../src/protocol/errors';
import { evalFewShotSpam } from './fewShotSpam';
import { evalCodeLanguageOutside, evalCodeLmOutside } from './outsideEval';
import { evalRepoContext } from './repoContext';
import { printReport, type Figure } from './report';
import { evalSentenceEncoder } from './sentenceEncoder';
import { evalCodeLanguage, evalCodeLm, evalSpam, type EvalOptions } from './shippedModels';
import { evalSpamForms } from './spamForms';

/** Each shipped model: its held-out split (in-distribution), then inputs from outside its training sources. */
const EVALS = {
  'code-lm': async (c: HostClient, o: EvalOptions) => [...(await evalCodeLm(c, o)), ...(await evalCodeLmOutside(c, o))],
  'spam-classifier': async (c: HostClient, o: EvalOptions) => [...(await evalSpam(c, o)).figures, ...(await evalSpamForms(c, o))],
  'code-language': async (c: HostClient, o: EvalOptions) => [...(await evalCodeLanguage(c, o)).figures, ...(await evalCodeLanguageOutside(c, o))],
  'repo-context': evalRepoContext,
  'sentence-encoder': evalSentenceEncoder,
} as const;
/** The shipped model each evaluation needs, when its name is not a model's. */
const MODEL_OF: Partial<Record<string, string>> = { 'repo-context': 'code-lm' };
type Name = keyof typeof EVALS;

const USAGE = `usage: npm run eval -- [--quick] [--only ${Object.keys(EVALS).join(',')}] [--onnx-file model_quantized.onnx]
                      [--encoder DIR]  (also: a spam classifier taught from 20 mails per class with DIR)`;

/** Repository root (where models/ lives), from dist/ or out/tools/eval/. */
function repoRoot(): string {
  for (let d = __dirname; d !== path.dirname(d); d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'package.json')) && fs.existsSync(path.join(d, 'models'))) return d;
  }
  return process.cwd();
}

export async function main(argv: string[], out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  let v;
  try {
    v = parseArgs({ args: argv, options: { quick: { type: 'boolean' }, only: { type: 'string' }, 'onnx-file': { type: 'string' }, encoder: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true }).values;
  } catch (e) {
    process.stderr.write(`eval: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (v.help) {
    out(USAGE);
    return 0;
  }
  const names = Object.keys(EVALS) as Name[];
  const only = v.only?.split(',');
  const unknown = only?.find((n) => !names.includes(n as Name));
  if (unknown !== undefined) {
    process.stderr.write(`eval: --only: unknown model ${JSON.stringify(unknown)}; shipped models: ${names.join(', ')}\n`);
    return 2;
  }
  const root = repoRoot();
  const client = new HostClient({ workerPath: defaultWorkerPath(__dirname) });
  try {
    const figures: Figure[] = [];
    const o: EvalOptions = { root, quick: !!v.quick, onnxFile: v['onnx-file'], log: out };
    for (const name of names) {
      if (only && !only.includes(name)) continue;
      if (!fs.existsSync(path.join(root, 'models', MODEL_OF[name] ?? name, 'config.json'))) {
        out(`${name}: not in models/, skipped`);
        continue;
      }
      figures.push(...(await EVALS[name](client, o)));
    }
    if (v.encoder) figures.push(...(await evalFewShotSpam(client, o, v.encoder)));
    printReport('ONNX Assist shipped-model quality', figures, { date: new Date().toISOString(), quick: !!v.quick, onnxFile: v['onnx-file'] ?? 'default' }, out);
    return 0;
  } catch (e) {
    process.stderr.write(`eval: ${e instanceof HostError ? `${e.code}: ${e.message}` : String((e as Error).stack ?? e)}\n`);
    return 1;
  } finally {
    await client.dispose(Infinity);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      process.stderr.write(`eval: ${String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
