/**
 * ONNX Assist: Set Remote API Key…: the key for a configured remote endpoint, kept in VS Code's
 * secret storage under the endpoint's origin (never in settings, never logged). An empty key
 * removes it. Tests and keybindings may pass `{ origin, key }`.
 */
import * as vscode from 'vscode';
import type { Settings } from '../config';
import { UserError } from '../errors';
import { originOf, type RemoteBackends } from './remoteBackends';

/** The origins of the remote endpoints the settings name (one per distinct server). */
export function configuredOrigins(s: Settings): string[] {
  const roles = [s.remote.completion, s.remote.chat].filter((r) => r.backend !== 'local');
  return [...new Set(roles.map((r) => originOf(r.endpoint)).filter((o): o is string => o !== undefined))];
}

/** Returns the origin whose key was set or removed, or undefined when the user cancelled. */
export async function setRemoteApiKey(remote: RemoteBackends, settings: Settings, given?: { origin?: unknown; key?: unknown }): Promise<string | undefined> {
  const origins = configuredOrigins(settings);
  if (origins.length === 0) {
    throw new UserError('No remote engine is configured: set onnxAssist.remote.completion.backend (or .chat.backend) and its endpoint first; the key is stored for that endpoint.', [
      { title: 'Open Remote Settings', command: 'workbench.action.openSettings', args: [{ query: 'onnxAssist.remote' }] },
    ]);
  }
  let origin: string | undefined;
  if (given?.origin !== undefined) {
    if (typeof given.origin !== 'string' || !origins.includes(given.origin)) throw new UserError(`${JSON.stringify(given.origin)} is not a configured remote endpoint's origin (configured: ${origins.join(', ')}).`);
    origin = given.origin;
  } else if (origins.length === 1) origin = origins[0];
  else {
    const pick = await vscode.window.showQuickPick(
      await Promise.all(origins.map(async (o) => ({ label: o, description: (await remote.hasKey(o)) ? 'a key is stored' : 'no key' }))),
      { title: 'Set the API key for which server?' },
    );
    origin = pick?.label;
  }
  if (!origin) return undefined;
  let key: string | undefined;
  if (given?.key !== undefined) {
    if (typeof given.key !== 'string') throw new UserError('The key must be a string.');
    key = given.key;
  } else {
    key = await vscode.window.showInputBox({
      title: `API key for ${origin}`,
      prompt: 'Kept in VS Code\'s secret storage and sent only to this server (Authorization: Bearer). Leave empty to remove the stored key.',
      password: true,
      ignoreFocusOut: true,
    });
  }
  if (key === undefined) return undefined;
  await remote.setKey(origin, key.trim());
  vscode.window.setStatusBarMessage(key.trim() ? `ONNX Assist: API key stored for ${origin}` : `ONNX Assist: API key removed for ${origin}`, 4000);
  return origin;
}
