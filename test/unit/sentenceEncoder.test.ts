/**
 * The shipped sentence encoder (models/sentence-encoder) through the real host: zero-shot with
 * typed labels and few-shot teaching beat chance on a small fixed sample of held-out data, and
 * the CLI uses it when no model is named (classify --labels, teach, embed), offline.
 * (npm run eval -- --only sentence-encoder reports the full figures and the bag-of-words baseline.)
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { HostClient } from '../../src/client/hostClient';
import { modelKindOf } from '../../src/host/models/kind';
import type { Settings } from '../../src/vscode/config';
import { ModelLocator } from '../../src/vscode/models/locations';
import { fileTasks, type Task } from '../../tools/eval/sentenceEncoder';
import { cli, newClient, ROOT } from './helpers';

const ENCODER = path.join(ROOT, 'models', 'sentence-encoder');

/** The first `n` test texts of each class (the test set is in a fixed md5 order). */
function sample(task: Task, n: number): Task['test'] {
  return task.classes.flatMap((_, y) => task.test.filter((t) => t.y === y).slice(0, n));
}

describe('shipped sentence encoder', () => {
  let client: HostClient;
  let tasks: Task[];
  before(() => {
    client = newClient();
    tasks = fileTasks(ROOT);
  });
  after(() => client.dispose());

  it('is an embedding model (zero-shot by similarity) to the host and the pickers', async () => {
    assert.equal(modelKindOf(ENCODER).kind, 'encoder');
    const info = await client.request('load', { modelPath: ENCODER });
    assert.equal(info.task, 'feature-extraction');
  });

  for (const name of ['debian-section', 'python-package']) {
    it(`${name}: zero-shot with typed labels beats chance on 8 held-out texts per class`, async () => {
      const task = tasks.find((t) => t.name === name)!;
      const test = sample(task, 8);
      const r = await client.request('zeroShot', { modelPath: ENCODER, texts: test.map((t) => t.text), labels: task.zeroShotLabels });
      assert.equal(r.mode, 'similarity');
      const acc = r.results.filter((res, i) => res[0].label === task.zeroShotLabels[test[i].y]).length / test.length;
      const chance = 1 / task.classes.length;
      assert.ok(acc >= chance + 0.1, `accuracy ${acc.toFixed(3)}, chance ${chance.toFixed(3)}`);
    });

    it(`${name}: a classifier taught from 8 examples per class beats chance on held-out texts`, async () => {
      const task = tasks.find((t) => t.name === name)!;
      const examples = task.classes.flatMap((label, y) => task.pool.filter((p) => p.y === y).slice(0, 8).map((p) => ({ text: p.text, label })));
      const taught = await client.request('trainClassifier', { modelPath: ENCODER, name, examples });
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'encoder-few-shot-'));
      try {
        const file = path.join(dir, `${name}.json`);
        fs.writeFileSync(file, JSON.stringify(taught.classifier));
        const test = sample(task, 10);
        const r = await client.request('classify', { modelPath: file, texts: test.map((t) => t.text) });
        const acc = r.results.filter((res, i) => res[0].label === task.classes[test[i].y]).length / test.length;
        const chance = 1 / task.classes.length;
        assert.ok(acc >= chance + 0.15, `accuracy ${acc.toFixed(3)}, chance ${chance.toFixed(3)}`);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('is the extension\'s zero-shot and teaching model while onnxAssist.zeroShot.model is empty; a chosen model wins', () => {
    const models = new ModelLocator(ROOT);
    const settings = (model: string) => ({ zeroShot: { model, template: 'This example is {}.', multiLabel: false } }) as Settings;
    assert.equal(models.zeroShotModel(settings('')), ENCODER);
    assert.equal(models.zeroShotModel(settings('/models/nli-deberta-v3-xsmall')), '/models/nli-deberta-v3-xsmall');
  });

  describe('the CLI falls back to it when no model is named', () => {
    it('classify --labels without --model: zero-shot by similarity with the embedded encoder', async () => {
      const r = await cli('classify', '--labels', 'games, fonts, networking', '--text', 'real-time strategy game of ancient warfare', '--text', 'monospaced TrueType font for programmers', '--json');
      assert.equal(r.code, 0, r.err);
      const out = JSON.parse(r.out) as { method: string; results: { label: string }[][] };
      assert.match(out.method, /similarity/);
      assert.deepEqual(out.results.map((x) => x[0].label), ['games', 'fonts']);
    });

    it('classify without --model and without --labels still asks for a model', async () => {
      const r = await cli('classify', '--text', 'x');
      assert.equal(r.code, 2);
      assert.match(r.err, /--model is required/);
    });

    it('teach without --encoder and embed without --model use the embedded encoder', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'encoder-cli-'));
      try {
        const data = path.join(dir, 'kind.csv');
        const rows = ['text,label', 'a multiplayer board game,games', 'puzzle game for children,games', 'arcade shooter game,games', 'card game with network play,games',
          'serif font family,fonts', 'monospaced font for the console,fonts', 'bitmap fonts for X11,fonts', 'font with Arabic glyphs,fonts'];
        fs.writeFileSync(data, `${rows.join('\n')}\n`);
        const out = path.join(dir, 'kind.json');
        const t = await cli('teach', '--data', data, '--name', 'kind', '--out', out);
        assert.equal(t.code, 0, t.err);
        const saved = JSON.parse(fs.readFileSync(out, 'utf8')) as { encoder: { modelPath: string; dim: number } };
        assert.equal(path.resolve(saved.encoder.modelPath), ENCODER);
        const e = await cli('embed', '--text', 'hello world', '--json');
        assert.equal(e.code, 0, e.err);
        assert.equal((JSON.parse(e.out) as { dim: number }).dim, saved.encoder.dim);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
