/**
 * What a failed command offers the user: the actions that can help with that kind of failure
 * (Retry and the endpoint setting for a download that could not reach the Hub, Restart Host for a
 * host that died, a model picker for a model of the wrong kind), never a fixed pair for every
 * error. No `vscode` import: the choice is plain data, tested in plain node.
 */
import { HubError } from '../core/hub/names';
import { HostError } from '../protocol/errors';
import { SECTION } from './config';

export interface ErrorAction {
  title: string;
  /** A command to run with its arguments... */
  command?: string;
  args?: unknown[];
  /** ...or run the failed command again. */
  retry?: true;
}

/** An error whose message says what to do, carrying the actions that do it. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly actions: ErrorAction[] = [],
  ) {
    super(message);
    this.name = 'UserError';
  }
}

const RETRY: ErrorAction = { title: 'Retry', retry: true };
/** Opens the settings editor on one setting (the options object works for User and Remote settings alike). */
const setting = (title: string, key: string): ErrorAction => ({ title, command: 'workbench.action.openSettings', args: [{ query: key }] });
const ENDPOINT = setting('Open Endpoint Setting', 'onnxAssist.hub.endpoint');
const RESTART: ErrorAction = { title: 'Restart Host', command: 'onnxAssist.restartHost' };
const DOWNLOAD: ErrorAction = { title: 'Download Model…', command: 'onnxAssist.downloadModel' };

/**
 * The actions that can help with `e`, best first (at most three; the caller adds Open Output).
 * `canRetry`: whether the failed command can be run again as it was.
 */
export function actionsFor(e: unknown, canRetry: boolean): ErrorAction[] {
  const retry = canRetry ? [RETRY] : [];
  let out: ErrorAction[] = [];
  if (e instanceof UserError) out = e.actions;
  else if (e instanceof HubError) {
    switch (e.code) {
      case 'NETWORK':
      case 'SERVER':
        out = [...retry, ENDPOINT];
        break;
      case 'NOT_FOUND':
        out = [ENDPOINT, DOWNLOAD];
        break;
      case 'UNAUTHORIZED':
        out = [{ title: 'Set Hugging Face Token…', command: 'onnxAssist.setHubToken' }, ...retry];
        break;
      case 'NO_SPACE':
        out = [{ title: 'Manage Downloaded Models…', command: 'onnxAssist.manageModels' }, setting('Open Cache Setting', 'onnxAssist.hub.cacheDir')];
        break;
      case 'MISMATCH':
        out = retry;
        break;
      case 'NO_ONNX':
      case 'BAD_NAME':
        out = [DOWNLOAD];
        break;
      case 'CANCELLED':
        out = [];
        break;
    }
  } else if (e instanceof HostError) {
    switch (e.code) {
      case 'HOST_DIED':
      case 'HOST_SHUTDOWN':
      case 'INTERNAL':
        out = [...retry, RESTART];
        break;
      case 'INFERENCE_FAILED':
        out = [RESTART, ...retry];
        break;
      case 'MODEL_NOT_FOUND':
      case 'MODEL_INVALID':
      case 'MODEL_UNSUPPORTED':
        out = [setting('Open Model Settings', SECTION), DOWNLOAD];
        break;
      case 'BAD_REQUEST':
      case 'CANCELLED':
        out = [];
        break;
    }
  }
  return out.slice(0, 3);
}
