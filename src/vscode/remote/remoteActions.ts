/**
 * What a failed command offers for a remote engine's error, by its kind (plain data, like
 * errors.ts): the key command for a refused key, Retry for a busy engine, the settings for an
 * endpoint that is not there or a model it does not have.
 */
import type { RemoteError } from '../../core/remote';
import type { ErrorAction } from '../errors';

const SETTINGS: ErrorAction = { title: 'Open Remote Settings', command: 'workbench.action.openSettings', args: [{ query: 'onnxAssist.remote' }] };
const KEY: ErrorAction = { title: 'Set Remote API Key…', command: 'onnxAssist.setRemoteApiKey' };
const RETRY: ErrorAction = { title: 'Retry', retry: true };

export function remoteActions(e: RemoteError, canRetry: boolean): ErrorAction[] {
  const retry = canRetry ? [RETRY] : [];
  switch (e.kind) {
    case 'auth':
      return [KEY, ...retry];
    case 'busy':
    case 'timeout':
    case 'server':
    case 'unreachable':
      return [...retry, SETTINGS];
    case 'not-found':
    case 'config':
    case 'rejected':
    case 'malformed':
      return [SETTINGS];
  }
}
