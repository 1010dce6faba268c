import * as assert from 'node:assert/strict';
import { resolveOptions } from '../../src/host/generation/options';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generationOptions, readSettings, SECTION, type SettingsSource } from '../../src/vscode/config';
import { parsePanelMessage } from '../../src/protocol/webview';
import { HostError } from '../../src/protocol/errors';
import { ROOT } from './helpers';

const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const declared = manifest.contributes.configuration.properties as Record<string, { default: unknown; scope?: string }>;

/** A settings source built from package.json defaults with user/workspace overrides. */
function source(user: Record<string, unknown> = {}, workspace: Record<string, unknown> = {}): SettingsSource {
  return (key) => {
    const full = `${SECTION}.${key}`;
    assert.ok(full in declared, `${full} is read but not declared in package.json`);
    const fromWorkspace = key in workspace;
    return { value: fromWorkspace ? workspace[key] : key in user ? user[key] : declared[full].default, fromWorkspace, defaultValue: declared[full].default };
  };
}

describe('settings', () => {
  it('every setting is declared once in package.json with a valid default', () => {
    const s = readSettings(source(), true);
    assert.equal(s.executionProvider, 'auto');
    assert.equal(s.inline.multiline, 'auto');
    assert.equal(s.generationModel, '');
    assert.ok(s.inline.debounceMs >= 0);
  });

  it('model paths are machine-overridable', () => {
    for (const k of ['generationModel', 'classificationModel', 'modelFolders']) assert.equal(declared[`${SECTION}.${k}`].scope, 'machine-overridable');
  });

  it('an untrusted workspace cannot choose which model files load', () => {
    const ws = { generationModel: '/tmp/evil', modelFolders: ['/tmp'], 'inline.debounceMs': 300 };
    const untrusted = readSettings(source({}, ws), false);
    assert.equal(untrusted.generationModel, '');
    assert.deepEqual(untrusted.modelFolders, []);
    assert.equal(untrusted.inline.debounceMs, 300, 'harmless settings still apply');
    assert.equal(readSettings(source({}, ws), true).generationModel, '/tmp/evil');
    assert.equal(readSettings(source({ generationModel: '/home/me/model' }), false).generationModel, '/home/me/model', 'user settings always apply');
  });

  it('an invalid value falls back to the default with a warning', () => {
    const warnings: string[] = [];
    const s = readSettings(source({ executionProvider: 'tpu', 'inline.debounceMs': -5 }), true, (w) => warnings.push(w));
    assert.equal(s.executionProvider, 'auto');
    assert.equal(s.inline.debounceMs, 120);
    assert.equal(warnings.length, 2);
    assert.match(warnings[0], /onnxAssist\.executionProvider has an invalid value "tpu"/);
  });

  it('generation defaults become request options; temperature 0 means greedy', () => {
    // The host decides doSample from the temperature (one rule, host/generation/options.ts).
    const s = readSettings(source(), true);
    assert.equal(resolveOptions(generationOptions(s), { do_sample: true }).doSample, false);
    const hot = readSettings(source({ 'generation.temperature': 0.7 }), true);
    const r = resolveOptions(generationOptions(hot), {});
    assert.deepEqual([r.doSample, r.temperature], [true, 0.7]);
  });

  it('commands carry the category and exist for every palette action', () => {
    const cmds = manifest.contributes.commands as { command: string; category: string }[];
    assert.ok(cmds.length >= 10);
    for (const c of cmds) assert.equal(c.category, 'ONNX Assist');
    assert.ok(!manifest.activationEvents.includes('*'));
  });
});

describe('panel messages', () => {
  it('accepts the panel protocol', () => {
    assert.deepEqual(parsePanelMessage({ type: 'ready' }), { type: 'ready' });
    const g = parsePanelMessage({ type: 'generate', prompt: 'x', options: { maxNewTokens: 5 }, chat: true });
    assert.ok(g.type === 'generate' && g.chat === true && g.options.maxNewTokens === 5);
    assert.deepEqual(parsePanelMessage({ type: 'classify', text: 't', labels: 'a, b' }), { type: 'classify', text: 't', labels: 'a, b' });
    assert.deepEqual(parsePanelMessage({ type: 'exportReport', format: 'json' }), { type: 'exportReport', format: 'json' });
    assert.deepEqual(parsePanelMessage({ type: 'deleteModel', repo: 'Xenova/distilgpt2' }), { type: 'deleteModel', repo: 'Xenova/distilgpt2' });
  });

  it('drops malformed or hostile messages with a reason', () => {
    const bad = [null, 'ready', { type: 'eval', code: 'x' }, { type: 'generate', prompt: 3 }, { type: 'generate', prompt: 'x', options: { maxNewTokens: -1 } }, { type: 'insert', text: 'x'.repeat(300_000) }, { type: '__proto__' }, { type: 'exportReport', format: 'html' }, { type: 'deleteModel', repo: '../../etc' }, { type: 'classify', text: 'x', labels: 5 }];
    for (const m of bad) assert.throws(() => parsePanelMessage(m), (e: unknown) => e instanceof HostError && e.code === 'BAD_REQUEST', JSON.stringify(m)?.slice(0, 40));
  });
});
