/**
 * Writers of user files: two runs on one target, stale locks, unique temporary files, and
 * prediction fields that never overwrite the input's own fields.
 */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { classifyFile } from '../../src/core/classification/batch';
import { bindClassifier } from '../../src/core/classification/classifier';
import { DataFileError } from '../../src/core/classification/records';
import { claimTarget, TargetBusyError, writeUserFile } from '../../src/core/classification/userFiles';
import type { HostClient } from '../../src/client/hostClient';
import { newClient, rejection, ROOT, TINY_BERT } from './helpers';

const CLI = path.join(ROOT, 'dist', 'cli.js');

describe('writing user files', () => {
  let dir: string;
  let client: HostClient;
  before(() => (client = newClient()));
  after(() => client.dispose());
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'user-files-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };
  const classify = () => bindClassifier(client, { modelPath: TINY_BERT }).classify;

  it('a second run on the same target refuses, naming the live run; the first run writes a whole file', async () => {
    const input = write('tickets.csv', `id,text\n${Array.from({ length: 40 }, (_, i) => `${i},ticket number ${i} about a refund`).join('\n')}\n`);
    const first = classifyFile({ input, textColumn: 'text', classify: classify(), batchSize: 8 });
    // The first run claims its output before its first await; its classify calls are still to come.
    assert.ok(fs.existsSync(path.join(dir, 'tickets.classified.csv.lock')));
    const second = await rejection(classifyFile({ input, textColumn: 'text', classify: classify() }));
    const r = await first;
    assert.ok(second instanceof TargetBusyError, String(second));
    assert.match(second.message, new RegExp(`tickets\\.classified\\.csv is being written by classifying tickets\\.csv \\(pid ${process.pid}`));
    assert.equal(r.records, 40);
    const rows = fs.readFileSync(r.output, 'utf8').trim().split('\n');
    assert.equal(rows.length, 41);
    assert.equal(rows[0], 'id,text,predicted_label,score');
    assert.deepEqual(fs.readdirSync(dir).sort(), ['tickets.classified.csv', 'tickets.csv'], 'no lock or temporary file is left');
  });

  it('two CLI runs on the same input: one finishes, the other refuses with a one-line message naming it', async function () {
    this.timeout(120_000);
    const input = write('big.csv', `text\n${Array.from({ length: 300 }, (_, i) => `"line ${i}: please refund my order, it never arrived"`).join('\n')}\n`);
    const a = spawn(process.execPath, [CLI, 'classify', '--model', TINY_BERT, '--file', input], { stdio: ['ignore', 'pipe', 'pipe'] });
    let aOut = '';
    a.stdout.on('data', (d: Buffer) => (aOut += d.toString()));
    const aDone = new Promise<number | null>((r) => a.once('exit', (code) => r(code)));
    const lock = path.join(dir, 'big.classified.csv.lock');
    while (!fs.existsSync(lock)) {
      assert.equal(a.exitCode, null, 'the first run is still going');
      await new Promise((r) => setTimeout(r, 20));
    }
    // Freeze the first run while it holds the target, so the second surely meets it (no race).
    a.kill('SIGSTOP');
    const b = spawnSync(process.execPath, [CLI, 'classify', '--model', TINY_BERT, '--file', input], { encoding: 'utf8' });
    a.kill('SIGCONT');
    assert.equal(await aDone, 0, aOut);
    assert.equal(b.status, 1);
    assert.equal(b.stderr.trim().split('\n').length, 1, b.stderr);
    assert.match(b.stderr, new RegExp(`big\\.classified\\.csv is being written by classifying big\\.csv \\(pid ${a.pid}`));
    assert.match(aOut, /300 records classified/);
    assert.equal(fs.readFileSync(path.join(dir, 'big.classified.csv'), 'utf8').trim().split('\n').length, 301);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['big.classified.csv', 'big.csv']);
  });

  it('a 50 MB classify --file killed with SIGKILL mid-run leaves the input as it was and no result; the next run clears what it left', async function () {
    this.timeout(300_000);
    const input = path.join(dir, 'huge.csv');
    const row = '"please refund order 12345, the parcel never arrived and support did not answer"\n';
    fs.writeFileSync(input, `text\n${row.repeat(Math.ceil((50 * 1024 * 1024) / row.length))}`);
    const before = fs.statSync(input);
    const a = spawn(process.execPath, [CLI, 'classify', '--model', TINY_BERT, '--file', input], { stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((r) => a.once('exit', (_code, signal) => r(signal)));
    const target = path.join(dir, 'huge.classified.csv');
    // Mid-run: the lock is taken and results have started to reach the temporary file.
    const temp = () => fs.readdirSync(dir).find((f) => f.startsWith('.huge.classified.csv.') && f.endsWith('.partial'));
    while (!temp() || fs.statSync(path.join(dir, temp()!)).size === 0) {
      assert.equal(a.exitCode, null, 'the run is still going');
      await new Promise((r) => setTimeout(r, 50));
    }
    a.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    assert.ok(!fs.existsSync(target), 'no half-written result under the real name');
    const after = fs.statSync(input);
    assert.equal(after.size, before.size);
    assert.equal(after.mtimeMs, before.mtimeMs);
    // The next writer of that target takes the dead run's lock over and removes its temporary file.
    writeUserFile(target, 'text,predicted_label,score\n', 'test');
    assert.deepEqual(fs.readdirSync(dir).sort(), ['huge.classified.csv', 'huge.csv']);
  });

  it('the CLI refuses to overwrite an input field, in one line, and --label-field / --score-field choose other names', () => {
    const input = write('mine.jsonl', '{"text":"refund please","label":"billing","predicted_label":"by hand"}\n');
    const refused = spawnSync(process.execPath, [CLI, 'classify', '--model', TINY_BERT, '--file', input], { encoding: 'utf8' });
    assert.equal(refused.status, 1);
    assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
    assert.match(refused.stderr, /mine\.jsonl line 1 already has a "predicted_label" field/);
    const ok = spawnSync(process.execPath, [CLI, 'classify', '--model', TINY_BERT, '--file', input, '--label-field', 'model_label', '--score-field', 'model_score'], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    const row = JSON.parse(fs.readFileSync(path.join(dir, 'mine.classified.jsonl'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual([row.label, row.predicted_label, typeof row.model_label, typeof row.model_score], ['billing', 'by hand', 'string', 'number']);
  });

  it('a lock left by a dead process is taken over', () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const target = path.join(dir, 'c.json');
    fs.writeFileSync(`${target}.lock`, JSON.stringify({ pid: Number(dead.stdout), token: 'x', host: os.hostname(), what: 'an old run', started: '2026-01-01' }));
    const leftover = path.join(dir, `.c.json.${dead.stdout}-0a1b2c3d.partial`);
    fs.writeFileSync(leftover, 'half');
    writeUserFile(target, '{"ok":true}\n', 'test');
    assert.equal(fs.readFileSync(target, 'utf8'), '{"ok":true}\n');
    assert.deepEqual(fs.readdirSync(dir), ['c.json'], "the dead run's lock and temporary file are gone");
  });

  it('every claim gets its own temporary file; abandoning leaves the target as it was', () => {
    const target = write('report.md', 'the old report\n');
    const claim = claimTarget(target, 'test');
    assert.notEqual(path.basename(claim.temp), 'report.md.partial');
    fs.writeFileSync(claim.temp, 'half a rep');
    claim.abandon();
    assert.equal(fs.readFileSync(target, 'utf8'), 'the old report\n');
    assert.deepEqual(fs.readdirSync(dir), ['report.md']);
    const again = claimTarget(target, 'test');
    assert.notEqual(again.temp, claim.temp);
    again.abandon();
  });

  it('JSONL output keeps the gold label and adds predicted_label, score and scores', async () => {
    const input = write('gold.jsonl', '{"text":"refund please","label":"billing"}\n{"text":"app crashes","label":"bug"}\n');
    const r = await classifyFile({ input, textColumn: 'text', classify: classify() });
    const rows = fs.readFileSync(r.output, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(rows.map((x) => x.label), ['billing', 'bug'], 'the gold labels are kept');
    for (const x of rows) {
      assert.equal(typeof x.predicted_label, 'string');
      assert.equal(typeof x.score, 'number');
      assert.equal(typeof x.scores, 'object');
    }
  });

  it('output field names are configurable, and a name the input already has is refused (no output, input untouched)', async () => {
    const text = '{"text":"refund please","predicted_label":"mine"}\n';
    const input = write('taken.jsonl', text);
    const e = await rejection(classifyFile({ input, textColumn: 'text', classify: classify() }));
    assert.ok(e instanceof DataFileError);
    assert.match(e.message, /taken\.jsonl line 1 already has a "predicted_label" field; the results would overwrite it/);
    assert.equal(fs.readFileSync(input, 'utf8'), text);
    assert.deepEqual(fs.readdirSync(dir), ['taken.jsonl']);
    const r = await classifyFile({ input, textColumn: 'text', classify: classify(), fields: { label: 'model_label' } });
    const row = JSON.parse(fs.readFileSync(r.output, 'utf8')) as Record<string, unknown>;
    assert.equal(row.predicted_label, 'mine');
    assert.equal(typeof row.model_label, 'string');

    const csv = write('taken.csv', 'text,score\nhello,5\n');
    const c = await rejection(classifyFile({ input: csv, textColumn: 'text', classify: classify() }));
    assert.match(c.message, /taken\.csv line 2 already has a "score" column/);
  });
});
