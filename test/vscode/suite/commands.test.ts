/**
 * Model pickers, the execution provider and host restart in a real VS Code: each picker takes
 * only models of its kind, only providers this installation has are accepted, the provider shown
 * is the one that runs, and a restart answers once the new host is ready.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../../src/vscode/extension';
import { providerText, type ProviderState } from '../../../src/vscode/providerText';
import type { ZeroShotResult } from '../../../src/protocol/classification';
import type { HostStatus } from '../../../src/protocol/types';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const shipped = (name: string) => path.join(ROOT, 'models', name);
const fixture = (name: string) => path.join(ROOT, 'test', 'fixtures', 'models', name);

async function rejectionOf(p: Thenable<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the command to fail');
}

describe('pickers, provider and restart in VS Code', () => {
  let a: ExtensionApi;
  const cfg = () => vscode.workspace.getConfiguration('onnxAssist');
  before(async () => {
    a = await vscode.extensions.getExtension<ExtensionApi>('onnx-assist.onnx-assist')!.activate();
  });
  afterEach(async () => {
    for (const key of ['generationModel', 'zeroShot.model', 'executionProvider']) await cfg().update(key, undefined, vscode.ConfigurationTarget.Global);
  });

  it('Select Generation Model refuses a classifier, saying what it is and what is needed', async () => {
    const e = await rejectionOf(vscode.commands.executeCommand('onnxAssist.selectGenerationModel', shipped('code-language')));
    assert.match(e.message, /code-language is a classifier \(typescript, javascript, python and \d+ more\); this needs a causal language model/);
    assert.equal(a.assistant.settings.generationModel, '', 'the setting is unchanged');
    const chosen = await vscode.commands.executeCommand<string>('onnxAssist.selectGenerationModel', fixture('tiny-gpt2'));
    assert.equal(chosen, fixture('tiny-gpt2'));
    assert.equal(a.assistant.settings.generationModel, fixture('tiny-gpt2'));
  });

  it('each picker lists only models of its kind', async () => {
    // The shipped models and the fixtures folder (as a user's model folder); an empty download cache.
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-assist-empty-cache-'));
    await cfg().update('hub.cacheDir', cache, vscode.ConfigurationTarget.Global);
    await cfg().update('modelFolders', [path.join(ROOT, 'test', 'fixtures', 'models')], vscode.ConfigurationTarget.Global);
    try {
      const names = (purpose: 'generation' | 'classification' | 'zeroShot') => a.assistant.models.list(a.assistant.settings, purpose).map((m) => m.label);
      assert.deepEqual(names('generation'), ['code-lm', 'tiny-bigcode', 'tiny-gpt2', 'tiny-gpt2-fim', 'tiny-gpt2-merged', 'tiny-llama', 'tiny-llama-fp16', 'tiny-llama-genai', 'tiny-llama-q4', 'tiny-qwen2']);
      assert.deepEqual(names('classification'), ['code-language', 'spam-classifier', 'tiny-bert-classifier', 'tiny-bert-multilabel', 'tiny-distilbert', 'tiny-roberta']);
      assert.deepEqual(names('zeroShot'), ['sentence-encoder', 'tiny-bert-embedder', 'tiny-bert-nli', 'tiny-deberta-nli']);
    } finally {
      await cfg().update('hub.cacheDir', undefined, vscode.ConfigurationTarget.Global);
      await cfg().update('modelFolders', undefined, vscode.ConfigurationTarget.Global);
      fs.rmSync(cache, { recursive: true, force: true });
    }
  });

  it('Select Zero-Shot Model takes an NLI model and refuses a fixed-label classifier', async () => {
    const e = await rejectionOf(vscode.commands.executeCommand('onnxAssist.selectZeroShotModel', shipped('spam-classifier')));
    assert.match(e.message, /spam-classifier is a classifier \(ham, spam\); this needs an NLI model/);
    await vscode.commands.executeCommand('onnxAssist.selectZeroShotModel', fixture('tiny-bert-nli'));
    assert.equal(a.assistant.settings.zeroShot.model, fixture('tiny-bert-nli'));
  });

  it('zero-shot works out of the box on the shipped sentence encoder; a classifier set as the zero-shot model fails before asking for labels', async () => {
    const r = await vscode.commands.executeCommand<ZeroShotResult>('onnxAssist.zeroShotClassify', { text: 'The app crashes on start with a stack trace', labels: ['bug report', 'recipe'], show: false });
    assert.equal(r.mode, 'similarity', 'scored by the shipped encoder');
    assert.deepEqual(r.results[0].map((l) => l.label).sort(), ['bug report', 'recipe']);
    await cfg().update('zeroShot.model', shipped('code-language'), vscode.ConfigurationTarget.Global);
    try {
      const e = await rejectionOf(vscode.commands.executeCommand('onnxAssist.zeroShotClassify', { text: 'The app crashes on start' }));
      assert.match(e.message, /The zero-shot model code-language is a classifier .*Zero-shot needs an NLI model/);
    } finally {
      await cfg().update('zeroShot.model', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('Select Execution Provider takes only providers this installation has here', async () => {
    const status = await a.assistant.client.request('status', {});
    if (process.platform !== 'win32') {
      const e = await rejectionOf(vscode.commands.executeCommand('onnxAssist.selectExecutionProvider', 'dml'));
      assert.match(e.message, /"dml" is not available here\. Available: auto, cpu.*dml \(DirectML runs on Windows only/);
      assert.equal(a.assistant.settings.executionProvider, 'auto', 'nothing saved');
    }
    if (!status.backends.some((b) => b.name === 'cuda' && b.installed)) {
      const e = await rejectionOf(vscode.commands.executeCommand('onnxAssist.selectExecutionProvider', 'cuda'));
      assert.match(e.message, /"cuda" is not available here/);
    }
    const state = await vscode.commands.executeCommand<ProviderState>('onnxAssist.selectExecutionProvider', 'cpu');
    assert.deepEqual({ chosen: state.chosen, running: state.running }, { chosen: 'cpu', running: 'cpu' });
    assert.equal(a.assistant.settings.executionProvider, 'cpu');
  });

  it('a provider set by hand that cannot run here is shown as the one that runs, with the reason', async function () {
    if (process.platform === 'win32') this.skip();
    await a.assistant.client.request('status', {}); // a running host loads the model on the new choice at once
    const shown = new Promise<ProviderState>((resolve) => {
      const sub = a.assistant.onProviderChange((p) => {
        if (p.chosen === 'dml' && p.running) {
          sub.dispose();
          resolve(p);
        }
      });
    });
    await cfg().update('executionProvider', 'dml', vscode.ConfigurationTarget.Global);
    const p = await shown;
    assert.equal(p.running, 'cpu');
    assert.equal(providerText(p).line, `cpu, not dml: DirectML runs on Windows only (this is ${process.platform})`);
  });

  it('Restart Inference Host answers once the new host is ready', async () => {
    await a.assistant.classify(['hello']); // a model is loaded before the restart
    const s = await vscode.commands.executeCommand<HostStatus>('onnxAssist.restartHost');
    assert.equal(a.assistant.client.state, 'ready');
    assert.equal(s.models.length, 0, 'the new host has loaded nothing yet');
  });
});
