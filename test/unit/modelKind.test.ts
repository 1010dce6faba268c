/**
 * modelKindOf decides from the folder alone what a model is for, so each picker lists only models
 * of its kind. Every fixture and shipped model is checked, and the answer is compared with what
 * the engine itself makes of the folder when it loads it for real.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { HostClient } from '../../src/client/hostClient';
import { fitsPurpose, modelKindOf, onnxInputOutputNames, type ModelKind } from '../../src/host/models/kind';
import { FEW_SHOT_FORMAT, type ModelTask } from '../../src/protocol/types';
import { FIXTURES, fixture, newClient, ROOT } from './helpers';

const shipped = (name: string) => path.join(ROOT, 'models', name);

const EXPECTED: [string, ModelKind][] = [
  [fixture('tiny-bert-classifier'), 'classifier'],
  [fixture('tiny-bert-embedder'), 'encoder'],
  [fixture('tiny-bert-multilabel'), 'classifier'],
  [fixture('tiny-bert-nli'), 'nli'],
  [fixture('tiny-bigcode'), 'causal-lm'],
  [fixture('tiny-deberta-nli'), 'nli'],
  [fixture('tiny-distilbert'), 'classifier'],
  [fixture('tiny-gpt2'), 'causal-lm'],
  [fixture('tiny-gpt2-fim'), 'causal-lm'],
  [fixture('tiny-gpt2-merged'), 'causal-lm'],
  [fixture('tiny-llama'), 'causal-lm'],
  [fixture('tiny-llama-fp16'), 'causal-lm'],
  [fixture('tiny-llama-genai'), 'causal-lm'],
  [fixture('tiny-llama-q4'), 'causal-lm'],
  [fixture('tiny-qwen2'), 'causal-lm'],
  [fixture('tiny-roberta'), 'classifier'],
  [shipped('code-lm'), 'causal-lm'],
  [shipped('spam-classifier'), 'classifier'],
  [shipped('code-language'), 'classifier'],
];

const TASK_OF: Record<ModelKind, ModelTask | undefined> = {
  'causal-lm': 'text-generation',
  classifier: 'text-classification',
  nli: 'text-classification',
  encoder: 'feature-extraction',
  unknown: undefined,
};

const made: string[] = [];
const tmp = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-assist-kind-'));
  made.push(dir);
  return dir;
};

/** A copy of a fixture whose config.json says nothing about the kind, so only the graph can tell. */
function withBareConfig(name: string, keep: Record<string, unknown> = {}): string {
  const dir = tmp();
  fs.cpSync(fixture(name), dir, { recursive: true });
  const c = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  const bare: Record<string, unknown> = { ...c, ...keep };
  for (const k of ['architectures', 'model_type']) delete bare[k];
  if (!('id2label' in keep)) {
    delete bare.id2label;
    delete bare.label2id;
  }
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(bare));
  return dir;
}

describe('model kind from the folder (modelKindOf)', () => {
  after(() => {
    for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('knows every fixture and shipped model', () => {
    const listed = new Set(fs.readdirSync(FIXTURES).map((n) => fixture(n)));
    for (const [dir] of EXPECTED) listed.delete(dir);
    assert.deepEqual([...listed], [], 'a new fixture needs its expected kind here');
    for (const [dir, kind] of EXPECTED) assert.equal(modelKindOf(dir).kind, kind, `${path.basename(dir)}: ${modelKindOf(dir).why}`);
  });

  it('each picker takes only its kind: code-language and spam-classifier are never generation models', () => {
    assert.equal(fitsPurpose(modelKindOf(shipped('code-language')).kind, 'generation'), false);
    assert.equal(fitsPurpose(modelKindOf(shipped('spam-classifier')).kind, 'generation'), false);
    assert.equal(fitsPurpose(modelKindOf(shipped('code-lm')).kind, 'generation'), true);
    assert.equal(fitsPurpose(modelKindOf(shipped('code-lm')).kind, 'classification'), false);
    assert.equal(fitsPurpose(modelKindOf(fixture('tiny-bert-nli')).kind, 'zeroShot'), true);
    assert.equal(fitsPurpose(modelKindOf(fixture('tiny-bert-embedder')).kind, 'zeroShot'), true);
    assert.equal(fitsPurpose(modelKindOf(shipped('spam-classifier')).kind, 'zeroShot'), false, 'fixed labels cannot take the user’s labels');
  });

  it('reports a classifier’s labels in id order', () => {
    assert.deepEqual(modelKindOf(shipped('spam-classifier')).labels, ['ham', 'spam']);
    assert.deepEqual(modelKindOf(fixture('tiny-deberta-nli')).labels, ['contradiction', 'entailment', 'neutral']);
  });

  it('falls back to the ONNX graph when config.json does not say', () => {
    assert.equal(modelKindOf(withBareConfig('tiny-gpt2')).kind, 'causal-lm');
    assert.equal(modelKindOf(withBareConfig('tiny-bert-classifier')).kind, 'classifier');
    assert.equal(modelKindOf(withBareConfig('tiny-bert-embedder')).kind, 'encoder');
    const nli = withBareConfig('tiny-bert-nli', { id2label: { 0: 'entailment', 1: 'neutral', 2: 'contradiction' } });
    assert.equal(modelKindOf(nli).kind, 'nli');
  });

  it('reads input and output names from a real graph', () => {
    const gpt2 = onnxInputOutputNames(path.join(fixture('tiny-gpt2'), 'onnx', 'model.onnx'));
    assert.ok(gpt2.inputs.includes('input_ids') && gpt2.inputs.some((n) => n.startsWith('past_key_values.')), gpt2.inputs.join(', '));
    assert.ok(gpt2.outputs.includes('logits'));
    const bert = onnxInputOutputNames(path.join(fixture('tiny-bert-embedder'), 'onnx', 'model.onnx'));
    assert.deepEqual(bert.outputs.includes('last_hidden_state'), true, bert.outputs.join(', '));
  });

  it('says why a path is not a usable model, and never throws', () => {
    const empty = tmp();
    assert.match(modelKindOf(empty).why, /no config\.json/);
    assert.equal(modelKindOf(path.join(empty, 'missing')).kind, 'unknown');
    fs.writeFileSync(path.join(empty, 'config.json'), '{ not json');
    assert.match(modelKindOf(empty).why, /config\.json is not valid JSON/);
    const truncated = withBareConfig('tiny-gpt2');
    const onnx = path.join(truncated, 'onnx', 'model.onnx');
    fs.truncateSync(onnx, 1000);
    const k = modelKindOf(truncated);
    assert.equal(k.kind, 'unknown');
    assert.match(k.why, /not a readable ONNX file/);
    assert.equal(modelKindOf(path.join(fixture('tiny-gpt2'), 'config.json')).kind, 'unknown', 'a JSON file that is not a few-shot classifier');
  });

  it('a few-shot classifier file is a classifier', () => {
    const file = path.join(tmp(), 'tickets.json');
    fs.writeFileSync(file, JSON.stringify({ format: FEW_SHOT_FORMAT, name: 'tickets', labels: ['bug', 'question'] }));
    assert.deepEqual(modelKindOf(file), { kind: 'classifier', labels: ['bug', 'question'], why: 'a few-shot classifier taught from examples' });
  });

  describe('agrees with what the engine makes of each folder when it loads it', () => {
    let client: HostClient;
    before(() => (client = newClient()));
    after(() => client.dispose());
    for (const [dir, kind] of EXPECTED) {
      it(path.basename(dir), async () => {
        const info = await client.request('load', { modelPath: dir });
        assert.equal(info.task, TASK_OF[kind]);
        await client.request('unload', { modelPath: dir });
      });
    }
  });
});
