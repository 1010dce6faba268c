/**
 * Messages between the sidebar panel (webview) and the extension. Everything arriving from the
 * webview is checked here; a malformed or hostile message is dropped and logged.
 */
import { HostError } from './errors';
import type { EvaluationReport } from './reports';
import type { LabelScore } from './classification';
import type { GenerateStats, GenerationOptions } from './generation';
import { GENERATION_RANGES, rangeProblem, type NumberRange } from './ranges';
import { parseGenerationOptions } from './validate';

/** Commands the panel may run (its error messages offer them as buttons); nothing else. */
export const PANEL_COMMANDS = [
  'onnxAssist.selectGenerationModel',
  'onnxAssist.selectClassificationModel',
  'onnxAssist.selectZeroShotModel',
  'onnxAssist.downloadModel',
  'onnxAssist.showStatus',
  'onnxAssist.restartHost',
  'onnxAssist.toggleContext',
] as const;
export type PanelCommand = (typeof PANEL_COMMANDS)[number];

/** The project context of the last inline suggestion, as shown in the panel. */
export interface ContextWire {
  enabled: boolean;
  /** Files whose chunks fed the last suggestion (empty before the first). */
  files: string[];
  usedChunks: number;
  usedTokens: number;
}

/** Local completion counters as shown in the panel. */
export interface CompletionCountsWire {
  shown: number;
  accepted: number;
  acceptedChars: number;
}

/** A selection or file attached to a chat question (kept with the turn, stored per workspace). */
export interface ChatAttachment {
  kind: 'selection' | 'file';
  /** Workspace-relative path (the file's name when it is outside the workspace). */
  path: string;
  /** The fence language (the editor's language id). */
  language: string;
  text: string;
  /** 1-based lines of a selection. */
  startLine?: number;
  endLine?: number;
  /** By the model's tokenizer; absent for a remote engine (its tokenizer is not on this machine). */
  tokens?: number;
}

/** streaming: the reply is being written; stopped: the user stopped it (its text so far is kept). */
export type ChatTurnStatus = 'streaming' | 'done' | 'stopped' | 'error';

export interface ChatTurn {
  id: string;
  /** The question as the user typed it. */
  user: string;
  attachments: ChatAttachment[];
  reply: string;
  status: ChatTurnStatus;
  error?: string;
  /** One line: tokens, speed, why it stopped. */
  stats?: string;
  /** What the prompt left out to fit the window ("2 earlier turns left out to fit 2,048 tokens"). */
  note?: string;
}

/** What the panel shows of an attachment: its heading and size, not its text. */
export interface ChatAttachmentView {
  label: string;
  tokens?: number;
  chars: number;
}

export type ChatTurnView = Omit<ChatTurn, 'attachments'> & { attachments: ChatAttachmentView[] };

/** A command that can fix a problem, shown as a button. */
export interface PanelAction {
  title: string;
  command: PanelCommand;
}

export interface ChatState {
  /** The model (or remote engine) that answers. */
  model: string;
  /** False when it cannot chat (no chat template): `problem` says why and `actions` fix it. */
  canChat: boolean;
  problem?: string;
  actions?: PanelAction[];
  running: boolean;
}

export type FromPanel =
  | { type: 'ready' }
  | { type: 'run'; command: PanelCommand }
  | { type: 'generate'; prompt: string; options: GenerationOptions; chat?: boolean }
  | { type: 'stop' }
  | { type: 'classify'; text: string; labels?: string }
  | { type: 'evaluate' }
  | { type: 'refreshModels' }
  | { type: 'downloadModel' }
  | { type: 'importModel' }
  | { type: 'deleteModel'; repo: string }
  | { type: 'exportReport'; format: 'markdown' | 'json' }
  | { type: 'classifySelection'; labels?: string }
  | { type: 'insert'; text: string }
  | { type: 'copy'; text: string }
  /** Opens a diff of the active editor's selection (or whole file) against this code; nothing is written until accepted. */
  | { type: 'apply'; text: string }
  | { type: 'chatSend'; text: string; options: GenerationOptions }
  | { type: 'chatAttach'; what: 'selection' | 'file' }
  | { type: 'chatDetach'; index: number }
  | { type: 'chatStop' }
  | { type: 'chatRegenerate'; options: GenerationOptions }
  /** Replaces the last question (its attachments stay) and asks again. */
  | { type: 'chatEdit'; text: string; options: GenerationOptions }
  | { type: 'chatClear' };

export interface PanelDefaults {
  maxNewTokens: number;
  temperature: number;
  topK: number;
  topP: number;
  repetitionPenalty: number;
  noRepeatNgramSize: number;
}

/** The panel's numeric controls: each is checked in the panel against GENERATION_RANGES. */
export const PANEL_FIELDS = ['maxNewTokens', 'temperature', 'topK', 'topP', 'repetitionPenalty', 'noRepeatNgramSize', 'seed'] as const;
export type PanelField = (typeof PANEL_FIELDS)[number];
export type PanelRanges = Record<PanelField, NumberRange>;

/** The ranges the protocol enforces, for the panel's own checks (sent in `init`: one definition). */
export function panelRanges(): PanelRanges {
  return Object.fromEntries(PANEL_FIELDS.map((f) => [f, GENERATION_RANGES[f]])) as PanelRanges;
}

/** Per field, what is wrong with a generate request's options ("must be from 0 to 1"), if anything. */
export function optionProblems(options: unknown): Partial<Record<keyof typeof GENERATION_RANGES, string>> {
  const out: Partial<Record<keyof typeof GENERATION_RANGES, string>> = {};
  if (typeof options !== 'object' || options === null) return out;
  for (const [key, range] of Object.entries(GENERATION_RANGES) as [keyof typeof GENERATION_RANGES, NumberRange][]) {
    const v = (options as Record<string, unknown>)[key];
    if (v === undefined) continue;
    const problem = rangeProblem(range, v);
    if (problem) out[key] = `${range.label} ${problem}.`;
  }
  return out;
}

/** The provider line: what runs, and why it is not the chosen one (short; details in Show Host Status). */
export interface PanelProvider {
  line: string;
  reason?: string;
}

/** Which request an error answers ('unknown' when the message could not be read at all). */
export type PanelRequest = FromPanel['type'] | 'unknown';

export type ToPanel =
  | { type: 'init'; defaults: PanelDefaults; ranges: PanelRanges; model: string; classifier: string; provider: PanelProvider; counters: CompletionCountsWire; zeroShotLabels: string }
  | { type: 'status'; model: string; classifier: string; provider: PanelProvider }
  | { type: 'token'; text: string }
  | { type: 'done'; stats: GenerateStats; stopReason: string }
  /**
   * Every request the extension rejects or that fails is answered with one of these, and the
   * panel re-enables what that request disabled. `fields`: problems beside the controls;
   * `actions`: commands that can fix it, shown as buttons.
   */
  | { type: 'error'; request: PanelRequest; message: string; fields?: Partial<Record<string, string>>; actions?: PanelAction[] }
  | { type: 'classified'; text: string; labels: LabelScore[]; method: string }
  | { type: 'report'; report: EvaluationReport }
  | { type: 'models'; cacheDir: string; models: { repo: string; dtype: string; bytes: number; inUse: boolean }[] }
  | { type: 'counters'; counters: CompletionCountsWire }
  | { type: 'context'; context: ContextWire }
  /** The whole conversation (on ready and after every change but a streamed token). */
  | { type: 'chat'; turns: ChatTurnView[]; pending: ChatAttachmentView[]; state: ChatState }
  | { type: 'chatToken'; turn: string; text: string };

const MAX_TEXT = 200_000;

function text(o: Record<string, unknown>, key: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new HostError('BAD_REQUEST', `panel message field ${key} must be a string`);
  if (v.length > MAX_TEXT) throw new HostError('BAD_REQUEST', `the ${key} is ${v.length} characters long; the panel takes at most ${MAX_TEXT}. Shorten it`);
  return v;
}

const REQUESTS: ReadonlySet<string> = new Set<FromPanel['type']>([
  'ready', 'run', 'generate', 'stop', 'classify', 'evaluate', 'refreshModels', 'downloadModel', 'importModel', 'deleteModel', 'exportReport', 'classifySelection', 'insert', 'copy',
  'apply', 'chatSend', 'chatAttach', 'chatDetach', 'chatStop', 'chatRegenerate', 'chatEdit', 'chatClear',
]);

/** The request a (possibly malformed) message was meant to be, so its rejection can answer it. */
export function requestOf(v: unknown): PanelRequest {
  const t = typeof v === 'object' && v !== null ? (v as Record<string, unknown>).type : undefined;
  return typeof t === 'string' && REQUESTS.has(t) ? (t as FromPanel['type']) : 'unknown';
}

export function parsePanelMessage(v: unknown): FromPanel {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new HostError('BAD_REQUEST', 'panel message must be an object');
  const o = v as Record<string, unknown>;
  switch (o.type) {
    case 'run':
      if (!(PANEL_COMMANDS as readonly unknown[]).includes(o.command)) throw new HostError('BAD_REQUEST', `run command must be one of ${PANEL_COMMANDS.join(', ')}`);
      return { type: 'run', command: o.command as PanelCommand };
    case 'ready':
    case 'stop':
    case 'chatStop':
    case 'chatClear':
    case 'evaluate':
    case 'refreshModels':
    case 'downloadModel':
    case 'importModel':
      return { type: o.type };
    case 'deleteModel': {
      const repo = text(o, 'repo');
      if (!/^[\w.-]+\/[\w.-]+$/.test(repo)) throw new HostError('BAD_REQUEST', 'deleteModel repo must be owner/name');
      return { type: 'deleteModel', repo };
    }
    case 'classifySelection':
      return { type: 'classifySelection', labels: o.labels === undefined ? undefined : text(o, 'labels') };
    case 'exportReport':
      if (o.format !== 'markdown' && o.format !== 'json') throw new HostError('BAD_REQUEST', 'exportReport format must be "markdown" or "json"');
      return { type: 'exportReport', format: o.format };
    case 'generate':
      return { type: 'generate', prompt: text(o, 'prompt'), options: parseGenerationOptions(o.options, 'options'), chat: o.chat === true };
    case 'classify':
      return { type: 'classify', text: text(o, 'text'), labels: o.labels === undefined ? undefined : text(o, 'labels') };
    case 'insert':
    case 'copy':
    case 'apply':
      return { type: o.type, text: text(o, 'text') };
    case 'chatSend':
    case 'chatEdit': {
      const t = text(o, 'text');
      if (!t.trim()) throw new HostError('BAD_REQUEST', 'the message is empty; type a question');
      return { type: o.type, text: t, options: parseGenerationOptions(o.options, 'options') };
    }
    case 'chatRegenerate':
      return { type: 'chatRegenerate', options: parseGenerationOptions(o.options, 'options') };
    case 'chatAttach':
      if (o.what !== 'selection' && o.what !== 'file') throw new HostError('BAD_REQUEST', 'chatAttach what must be "selection" or "file"');
      return { type: 'chatAttach', what: o.what };
    case 'chatDetach':
      if (typeof o.index !== 'number' || !Number.isInteger(o.index) || o.index < 0 || o.index > 100) throw new HostError('BAD_REQUEST', 'chatDetach index must be an integer from 0 to 100');
      return { type: 'chatDetach', index: o.index };
    default:
      throw new HostError('BAD_REQUEST', `unknown panel message type ${JSON.stringify(o.type)?.slice(0, 40)}`);
  }
}
