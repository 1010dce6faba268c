/**
 * The remote settings as the extension reads them: declared in package.json, a workspace never
 * points completions (and a stored key) at a server of its choosing in an untrusted workspace, bad
 * values fall back with a warning; and what a failed command offers for each kind of remote error.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RemoteError, REMOTE_ERROR_KINDS } from '../../src/core/remote';
import { readSettings, RESTRICTED, SECTION, type SettingsSource } from '../../src/vscode/config';
import { remoteActions } from '../../src/vscode/remote/remoteActions';
import { ROOT } from './helpers';

const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const declared = manifest.contributes.configuration.properties as Record<string, { default: unknown }>;

function source(user: Record<string, unknown> = {}, workspace: Record<string, unknown> = {}): SettingsSource {
  return (key) => {
    const full = `${SECTION}.${key}`;
    const fromWorkspace = key in workspace;
    return { value: fromWorkspace ? workspace[key] : key in user ? user[key] : declared[full].default, fromWorkspace, defaultValue: declared[full].default };
  };
}

describe('remote settings and actions', () => {
  it('defaults: every role local, the server builds FIM prompts, a 30 s idle timeout', () => {
    const r = readSettings(source(), true).remote;
    assert.deepEqual(r, { completion: { backend: 'local', endpoint: '', model: '', fimTemplate: 'server' }, chat: { backend: 'local', endpoint: '', model: '' }, timeoutMs: 30000 });
  });

  it('an untrusted workspace cannot choose the backend or the endpoint; the user can', () => {
    const ws = { 'remote.completion.backend': 'openai', 'remote.completion.endpoint': 'http://evil.example', 'remote.chat.backend': 'ollama', 'remote.chat.endpoint': 'http://evil.example' };
    const untrusted = readSettings(source({}, ws), false).remote;
    assert.equal(untrusted.completion.backend, 'local');
    assert.equal(untrusted.completion.endpoint, '');
    assert.equal(untrusted.chat.backend, 'local');
    assert.equal(readSettings(source({}, ws), true).remote.completion.endpoint, 'http://evil.example');
    assert.equal(readSettings(source({ 'remote.completion.endpoint': 'http://gpu:8012' }), false).remote.completion.endpoint, 'http://gpu:8012');
    const restricted = manifest.capabilities.untrustedWorkspaces.restrictedConfigurations as string[];
    for (const k of RESTRICTED) assert.ok(restricted.includes(`${SECTION}.${k}`), `${k} is restricted in package.json too`);
  });

  it('a backend, template or endpoint that is not one of the choices falls back with a warning', () => {
    const warnings: string[] = [];
    const r = readSettings(source({ 'remote.completion.backend': 'vllm', 'remote.completion.fimTemplate': 'gpt', 'remote.chat.endpoint': 'gpu:8000' }), true, (w) => warnings.push(w)).remote;
    assert.equal(r.completion.backend, 'local');
    assert.equal(r.completion.fimTemplate, 'server');
    assert.equal(r.chat.endpoint, '');
    assert.equal(warnings.length, 3);
  });

  it('every kind of remote error offers actions; a refused key offers the key command first', () => {
    for (const kind of REMOTE_ERROR_KINDS) assert.ok(remoteActions(new RemoteError(kind, 'x'), true).length > 0, kind);
    assert.equal(remoteActions(new RemoteError('auth', 'x'), true)[0].command, 'onnxAssist.setRemoteApiKey');
    assert.equal(remoteActions(new RemoteError('busy', 'x'), true)[0].retry, true);
    assert.deepEqual(remoteActions(new RemoteError('busy', 'x'), false).map((a) => a.title), ['Open Remote Settings']);
  });
});
