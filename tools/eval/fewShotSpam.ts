/**
 * Few-shot on real data: a classifier taught from 20 mails per class of the SpamAssassin
 * training split, scored on the test split next to the trained spam model. The encoder is the
 * caller's choice (tools/export/encoder_of.py cuts one out of a shipped classifier).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { HostClient } from '../../src/client/hostClient';
import { classificationReport } from '../../src/core/classification/metrics';
import type { Figure } from './report';
import type { EvalOptions } from './shippedModels';
import { loadSpamAssassin, quickSample } from './spamData';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

export async function evalFewShotSpam(client: HostClient, o: EvalOptions, encoder: string, perClass = 20): Promise<Figure[]> {
  const mails = loadSpamAssassin(o.root);
  // A fixed, documented sample: the first mails per class in md5(id) order.
  const train = mails.filter((m) => m.split === 'train').sort((a, b) => md5(a.id).localeCompare(md5(b.id)));
  const examples = ['ham', 'spam'].flatMap((label) => train.filter((m) => m.label === label).slice(0, perClass)).map((m) => ({ text: m.text, label: m.label }));
  let test = mails.filter((m) => m.split === 'test');
  if (o.quick) test = quickSample(test, 200);
  const taught = await client.request('trainClassifier', { modelPath: encoder, name: `spam-${perClass}-shot`, examples });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'few-shot-'));
  try {
    const file = path.join(dir, 'spam.json');
    fs.writeFileSync(file, JSON.stringify(taught.classifier));
    const texts = test.map((m) => m.text);
    const gold = test.map((m) => m.label);
    const ours = await client.request('classify', { modelPath: file, texts });
    const trained = await client.request('classify', { modelPath: path.join(o.root, 'models', 'spam-classifier'), texts });
    const report = (r: typeof ours) => classificationReport(gold, r.results.map((x) => x[0].label), ['ham', 'spam']);
    const a = report(ours);
    const b = report(trained);
    const f1 = (r: typeof a) => r.perClass.find((c) => c.label === 'spam')!.f1;
    o.log(`few-shot spam: ${examples.length} examples through ${encoder}; ${taught.classifier.crossValidation.folds}-fold CV accuracy ${taught.classifier.crossValidation.accuracy.toFixed(3)}; test accuracy ${a.accuracy.toFixed(3)} vs trained model ${b.accuracy.toFixed(3)}`);
    const peer = 'spam-classifier (trained on 4,807 mails)';
    return [
      { name: `few-shot spam (${perClass}/class): CV accuracy`, value: taught.classifier.crossValidation.accuracy, unit: 'fraction' },
      { name: `few-shot spam (${perClass}/class): accuracy (test)`, value: a.accuracy, unit: 'fraction', peer, peerValue: b.accuracy, ratio: a.accuracy / b.accuracy },
      { name: `few-shot spam (${perClass}/class): F1 (spam, test)`, value: f1(a), unit: 'fraction', peer, peerValue: f1(b), ratio: f1(a) / f1(b) },
      { name: `few-shot spam (${perClass}/class): teach time`, value: (taught.stats.embedMs + taught.stats.trainMs) / 1000, unit: 's' },
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
