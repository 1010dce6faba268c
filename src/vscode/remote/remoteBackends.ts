/**
 * The remote engines the settings name, per role (inline completion; generation and chat), with
 * the API key from VS Code's secret storage, stored per endpoint origin so a key is only ever
 * sent to the server it was entered for (a changed endpoint does not take the key along). Keeps
 * each role's last error for the status bar and Show Host Status.
 */
import * as vscode from 'vscode';
import { createEngine, type RemoteConfig, type RemoteEngine } from '../../core/remote';
import type { RemoteRoleSettings, Settings } from '../config';

export type RemoteRole = 'completion' | 'chat';

export interface RemoteRoleStatus {
  role: RemoteRole;
  backend: RemoteConfig['backend'];
  endpoint: string;
  model: string;
  /** Set after a failed request, cleared by the next one that succeeds (cancellations are neither). */
  lastError?: { message: string; at: Date };
  lastOkAt?: Date;
}

/** The secret's name for an origin's key. */
export const secretName = (origin: string) => `onnxAssist.remote.apiKey/${origin}`;

/** The endpoint's origin, or undefined when it is not a URL. */
export function originOf(endpoint: string): string | undefined {
  try {
    const u = new URL(endpoint);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : undefined;
  } catch {
    return undefined;
  }
}

const HINTS: Record<RemoteRole, RemoteConfig['hints']> = {
  completion: { endpoint: 'onnxAssist.remote.completion.endpoint', apiKey: 'ONNX Assist: Set Remote API Key…', timeout: 'onnxAssist.remote.timeoutMs', fimTemplate: 'onnxAssist.remote.completion.fimTemplate' },
  chat: { endpoint: 'onnxAssist.remote.chat.endpoint', apiKey: 'ONNX Assist: Set Remote API Key…', timeout: 'onnxAssist.remote.timeoutMs', fimTemplate: 'onnxAssist.remote.completion.fimTemplate' },
};

export class RemoteBackends implements vscode.Disposable {
  /** Keys read from secret storage, by origin (a keystroke must not wait on an IPC round trip). */
  private readonly keys = new Map<string, Promise<string | undefined>>();
  private readonly state = new Map<RemoteRole, { lastError?: { message: string; at: Date }; lastOkAt?: Date }>();
  private readonly emitter = new vscode.EventEmitter<void>();
  /** Fires when a role's last error or success changes. */
  readonly onDidChange = this.emitter.event;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly settings: () => Settings,
  ) {
    this.subscription = secrets.onDidChange((e) => {
      if (e.key.startsWith(secretName(''))) this.keys.delete(e.key.slice(secretName('').length));
    });
  }

  private roleSettings(role: RemoteRole): RemoteRoleSettings & { fimTemplate?: Settings['remote']['completion']['fimTemplate'] } {
    return this.settings().remote[role];
  }

  /** Whether the role goes to a remote engine. */
  isRemote(role: RemoteRole): boolean {
    return this.roleSettings(role).backend !== 'local';
  }

  /** The role's engine with its key, or undefined when the role is local. A bad configuration throws a RemoteError (kind config). */
  async engine(role: RemoteRole): Promise<RemoteEngine | undefined> {
    const r = this.roleSettings(role);
    if (r.backend === 'local') return undefined;
    const origin = originOf(r.endpoint);
    const apiKey = origin ? await this.key(origin) : undefined;
    return createEngine({ backend: r.backend, endpoint: r.endpoint, model: r.model, fimTemplate: r.fimTemplate ?? 'server', apiKey, timeoutMs: this.settings().remote.timeoutMs, hints: HINTS[role] });
  }

  private key(origin: string): Promise<string | undefined> {
    let k = this.keys.get(origin);
    if (!k) {
      k = Promise.resolve(this.secrets.get(secretName(origin))).then((v) => v || undefined);
      this.keys.set(origin, k);
    }
    return k;
  }

  async setKey(origin: string, key: string): Promise<void> {
    this.keys.delete(origin);
    if (key === '') await this.secrets.delete(secretName(origin));
    else await this.secrets.store(secretName(origin), key);
  }

  async hasKey(origin: string): Promise<boolean> {
    return (await this.key(origin)) !== undefined;
  }

  noteOk(role: RemoteRole): void {
    const had = this.state.get(role)?.lastError;
    this.state.set(role, { lastOkAt: new Date() });
    if (had) this.emitter.fire();
  }

  noteError(role: RemoteRole, e: unknown): void {
    this.state.set(role, { ...this.state.get(role), lastError: { message: e instanceof Error ? e.message : String(e), at: new Date() } });
    this.emitter.fire();
  }

  /** The role's engine, endpoint, model and last error; undefined when the role is local. */
  status(role: RemoteRole): RemoteRoleStatus | undefined {
    const r = this.roleSettings(role);
    if (r.backend === 'local') return undefined;
    return { role, backend: r.backend, endpoint: r.endpoint, model: r.model, ...this.state.get(role) };
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}
