/**
 * Out-of-distribution figures for code-language and code-lm on the committed outside sample
 * (outsideSample.ts): code from projects no shipped model trained on, beside VS Code's own
 * language detector, and the code LM's rest-of-line exact match measured as on its held-out split.
 */
import * as path from 'node:path';
import type { HostClient } from '../../src/client/hostClient';
import { SeededRandom } from '../../src/host/generation/sampling';
import { classificationReport } from '../../src/core/classification/metrics';
import { CODE_LANGUAGES, type CodeLanguage } from './codeLanguageData';
import { loadOutsideSample } from './outsideSample';
import type { Figure } from './report';
import type { EvalOptions } from './shippedModels';

/** VS Code's detector's top answer for each text, as one of our labels or 'other'; undefined when it is not installed. */
async function detectorAnswers(texts: string[], log: (l: string) => void): Promise<string[] | undefined> {
  try {
    type Detector = typeof import('@vscode/vscode-languagedetection');
    const mod = (await import('@vscode/vscode-languagedetection')) as Detector & { default?: Detector };
    const ops = new (mod.ModelOperations ?? mod.default!.ModelOperations)();
    const byId = new Map(Object.entries(CODE_LANGUAGES).map(([k, v]) => [v as string, k]));
    const out: string[] = [];
    for (const t of texts) out.push(byId.get((await ops.runModel(t))[0]?.languageId ?? '') ?? 'other');
    ops.dispose();
    return out;
  } catch (e) {
    log(`code-language (outside): VS Code's detector is not installed (${(e as Error).message.split('\n')[0]})`);
    return undefined;
  }
}

export async function evalCodeLanguageOutside(client: HostClient, o: EvalOptions): Promise<Figure[]> {
  const sample = loadOutsideSample(o.root);
  const labels = Object.keys(CODE_LANGUAGES) as CodeLanguage[];
  const modelPath = path.join(o.root, 'models', 'code-language');
  const r = await client.request('classify', { modelPath, texts: sample.map((s) => s.text), onnxFile: o.onnxFile });
  const gold = sample.map((s) => s.label);
  const ours = classificationReport(gold, r.results.map((x) => x[0].label), labels);
  const peerAnswers = await detectorAnswers(sample.map((s) => s.text), o.log);
  const peer = peerAnswers && classificationReport(gold, peerAnswers, [...labels, 'other']);
  o.log(`code-language on ${sample.length} outside snippets (projects it never trained on; tools/eval/outside-snippets.jsonl):`);
  const figures: Figure[] = [];
  for (const l of labels) {
    const n = gold.filter((g) => g === l).length;
    if (!n) continue;
    const c = ours.perClass.find((x) => x.label === l)!.recall;
    const p = peer?.perClass.find((x) => x.label === l)?.recall;
    o.log(`  ${l.padEnd(12)} ${c.toFixed(3)}${p === undefined ? '' : `  VS Code detector ${p.toFixed(3)}`}  (n=${n})`);
    figures.push({ id: `code_language_outside_accuracy_${l}`, name: `code-language (outside): accuracy ${l}`, value: c, unit: 'fraction', ...(p === undefined ? {} : { peer: 'VS Code detector', peerValue: p, ratio: p ? c / p : undefined }) });
  }
  figures.unshift({
    id: 'code_language_outside_accuracy',
    name: 'code-language (outside): accuracy overall',
    value: ours.accuracy,
    unit: 'fraction',
    ...(peer ? { peer: 'VS Code detector', peerValue: peer.accuracy, ratio: ours.accuracy / peer.accuracy, goal: '>1x', met: ours.accuracy > peer.accuracy } : {}),
  });
  return figures;
}

/** Rest-of-line exact match on the outside snippets: cut a line at a random point, greedy-complete to the line end (as evalCodeLm does on held-out files). */
export async function evalCodeLmOutside(client: HostClient, o: EvalOptions): Promise<Figure[]> {
  const modelPath = path.join(o.root, 'models', 'code-lm');
  // Code only: the model is a code model (its prose share is Moby-Dick), and markdown and JSON lines are mostly not code.
  const sample = loadOutsideSample(o.root).filter((s) => !['markdown', 'json'].includes(s.label));
  const rng = new SeededRandom(4242);
  const samples = o.quick ? 60 : 300;
  let lines = 0;
  let hits = 0;
  for (let k = 0; k < samples * 5 && lines < samples; k++) {
    const all = sample[Math.floor(rng.next() * sample.length)].text.split('\n');
    const li = Math.floor(rng.next() * all.length);
    const line = all[li];
    const indent = line.length - line.trimStart().length;
    if (line.trim().length < 8 || li === 0) continue;
    const cut = indent + 1 + Math.floor(rng.next() * (line.length - indent - 1));
    const prompt = (all.slice(0, li).join('\n') + '\n' + line.slice(0, cut)).slice(-1500);
    lines++;
    const r = await client.request('generate', { modelPath, prompt, onnxFile: o.onnxFile, options: { doSample: false, repetitionPenalty: 1, maxNewTokens: 48, stop: ['\n'] } });
    if (r.texts[0].trimEnd() === line.slice(cut).trimEnd()) hits++;
  }
  o.log(`code-lm (outside): ${hits} of ${lines} lines completed exactly`);
  return [{ id: 'code_lm_outside_rest_of_line_exact_match', name: 'code-lm (outside): rest-of-line exact match', value: hits / lines, unit: 'fraction' }];
}
