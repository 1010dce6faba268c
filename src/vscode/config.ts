/**
 * Typed settings. Defaults are declared once, in package.json's contributes.configuration; this
 * module reads them through an accessor (VS Code's configuration, or a plain map in tests),
 * checks their types and keeps restricted settings out of untrusted workspaces.
 */
import { EXECUTION_PROVIDERS, type ExecutionProvider, type GenerationOptions } from '../protocol/types';
import type { MultilinePolicy } from '../core/completion/postprocess';
import { FIM_TEMPLATES, REMOTE_BACKENDS, type FimTemplate, type RemoteBackend } from '../core/remote';

export type { MultilinePolicy };

export interface InlineSettings {
  enabled: boolean;
  debounceMs: number;
  maxNewTokens: number;
  timeLimitMs: number;
  multiline: MultilinePolicy;
  disabledLanguages: string[];
  maxFileSizeKB: number;
  /** Prefill the cache on file switch and typing pauses (vscode/completion/warmer.ts). */
  warmCache: boolean;
}

/** Project context for inline completions (core/completion/context/). */
export interface ContextSettings {
  enabled: boolean;
  chunkLines: number;
  maxChunks: number;
  maxTokens: number;
}

/** `local` (the ONNX host) or a remote engine, per role. */
export type BackendChoice = 'local' | RemoteBackend;

export interface RemoteRoleSettings {
  backend: BackendChoice;
  endpoint: string;
  model: string;
}

/** Remote engines (core/remote): inline completion, and generation and chat (palette, panel). */
export interface RemoteSettings {
  completion: RemoteRoleSettings & { fimTemplate: FimTemplate };
  chat: RemoteRoleSettings;
  timeoutMs: number;
}

export interface Settings {
  generationModel: string;
  classificationModel: string;
  modelFolders: string[];
  executionProvider: ExecutionProvider;
  threads: number;
  inline: InlineSettings;
  context: ContextSettings;
  zeroShot: { model: string; template: string; multiLabel: boolean };
  /** Names of the fields Classify File adds to each record. */
  batch: { labelField: string; scoreField: string };
  hub: { endpoint: string; cacheDir: string };
  remote: RemoteSettings;
  generation: Required<Pick<GenerationOptions, 'maxNewTokens' | 'temperature' | 'topK' | 'topP' | 'repetitionPenalty' | 'noRepeatNgramSize'>>;
}

export const SECTION = 'onnxAssist';

/** Settings that name files to load: never taken from an untrusted workspace. */
export const RESTRICTED = [
  'generationModel',
  'classificationModel',
  'modelFolders',
  'zeroShot.model',
  'hub.endpoint',
  'hub.cacheDir',
  // A workspace must not send the user's code (or, with a key stored for it, the key) to a server it names.
  'remote.completion.backend',
  'remote.completion.endpoint',
  'remote.chat.backend',
  'remote.chat.endpoint',
] as const;

/** What a settings source gives for one key (relative to the section). */
export interface SettingValue {
  value: unknown;
  /** Where the effective value came from; workspace values are dropped when untrusted. */
  fromWorkspace: boolean;
  defaultValue: unknown;
}

export type SettingsSource = (key: string) => SettingValue;

export function readSettings(source: SettingsSource, trusted: boolean, warn: (message: string) => void = () => undefined): Settings {
  const get = <T>(key: string, check: (v: unknown) => v is T): T => {
    const s = source(key);
    let v = s.value;
    if (!trusted && s.fromWorkspace && (RESTRICTED as readonly string[]).includes(key)) v = s.defaultValue;
    if (check(v)) return v;
    warn(`Setting ${SECTION}.${key} has an invalid value ${JSON.stringify(v)}; using the default ${JSON.stringify(s.defaultValue)}.`);
    if (!check(s.defaultValue)) throw new Error(`package.json declares no valid default for ${SECTION}.${key}`);
    return s.defaultValue;
  };
  const isStr = (v: unknown): v is string => typeof v === 'string';
  const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
  const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
  const isCount = (v: unknown): v is number => isNum(v) && Number.isInteger(v) && v >= 1;
  const isStrs = (v: unknown): v is string[] => Array.isArray(v) && v.every(isStr);
  const isName = (v: unknown): v is string => isStr(v) && v.trim().length > 0;
  const isEp = (v: unknown): v is ExecutionProvider => (EXECUTION_PROVIDERS as readonly unknown[]).includes(v);
  const isPolicy = (v: unknown): v is MultilinePolicy => v === 'auto' || v === 'always' || v === 'never';
  const isBackend = (v: unknown): v is BackendChoice => v === 'local' || (REMOTE_BACKENDS as readonly unknown[]).includes(v);
  const isFim = (v: unknown): v is FimTemplate => (FIM_TEMPLATES as readonly unknown[]).includes(v);
  // Empty (not set yet) or an http(s) URL; the backend says what is missing when it is used.
  const isEndpoint = (v: unknown): v is string => isStr(v) && (v.trim() === '' || /^https?:\/\/[^\s]+$/.test(v.trim()));
  const role = (r: 'completion' | 'chat'): RemoteRoleSettings => ({
    backend: get(`remote.${r}.backend`, isBackend),
    endpoint: get(`remote.${r}.endpoint`, isEndpoint).trim(),
    model: get(`remote.${r}.model`, isStr).trim(),
  });
  return {
    generationModel: get('generationModel', isStr),
    classificationModel: get('classificationModel', isStr),
    modelFolders: get('modelFolders', isStrs),
    executionProvider: get('executionProvider', isEp),
    threads: get('threads', isNum),
    inline: {
      enabled: get('inline.enabled', isBool),
      debounceMs: get('inline.debounceMs', isNum),
      maxNewTokens: get('inline.maxNewTokens', isNum),
      timeLimitMs: get('inline.timeLimitMs', isNum),
      multiline: get('inline.multiline', isPolicy),
      disabledLanguages: get('inline.disabledLanguages', isStrs),
      maxFileSizeKB: get('inline.maxFileSizeKB', isNum),
      warmCache: get('inline.warmCache', isBool),
    },
    context: {
      enabled: get('context.enabled', isBool),
      chunkLines: get('context.chunkLines', isCount),
      maxChunks: get('context.maxChunks', isCount),
      maxTokens: get('context.maxTokens', isCount),
    },
    zeroShot: {
      model: get('zeroShot.model', isStr),
      template: get('zeroShot.template', (v: unknown): v is string => isStr(v) && v.includes('{}')),
      multiLabel: get('zeroShot.multiLabel', isBool),
    },
    batch: {
      labelField: get('batch.labelField', isName),
      scoreField: get('batch.scoreField', isName),
    },
    hub: {
      endpoint: get('hub.endpoint', (v: unknown): v is string => isStr(v) && /^https?:\/\/[^\s]+$/.test(v)),
      cacheDir: get('hub.cacheDir', isStr),
    },
    remote: {
      completion: { ...role('completion'), fimTemplate: get('remote.completion.fimTemplate', isFim) },
      chat: role('chat'),
      timeoutMs: get('remote.timeoutMs', isCount),
    },
    generation: {
      maxNewTokens: get('generation.maxNewTokens', isNum),
      temperature: get('generation.temperature', isNum),
      topK: get('generation.topK', isNum),
      topP: get('generation.topP', isNum),
      repetitionPenalty: get('generation.repetitionPenalty', isNum),
      noRepeatNgramSize: get('generation.noRepeatNgramSize', isNum),
    },
  };
}

/** Generation options for palette and panel requests from the settings. */
export function generationOptions(s: Settings, overrides: Partial<GenerationOptions> = {}): GenerationOptions {
  const g = s.generation;
  return {
    maxNewTokens: g.maxNewTokens,
    // Temperature 0 means greedy: the host derives doSample from it (host/generation/options.ts).
    temperature: g.temperature,
    topK: g.topK,
    topP: g.topP,
    repetitionPenalty: g.repetitionPenalty,
    noRepeatNgramSize: g.noRepeatNgramSize,
    ...overrides,
  };
}
