/**
 * A remote inference engine behind the same requests the local host serves: a completion
 * (fill-in-the-middle when a suffix is given) and a chat, streamed, cancellable, in the engine's
 * own wire format. What comes back has the local path's shape (texts, stop reasons, token counts
 * where the engine gives them).
 */
import type { ChatMessage, ContextChunk, GenerationOptions, StopReason, TokenEvent } from '../../protocol/types';
import type { RemoteHints } from './errors';
import type { FimTemplate } from './fim';

export const REMOTE_BACKENDS = ['openai', 'llamacpp', 'ollama'] as const;
export type RemoteBackend = (typeof REMOTE_BACKENDS)[number];

export const ENGINE_NAMES: Record<RemoteBackend, string> = { openai: 'OpenAI-compatible server', llamacpp: "llama.cpp's server", ollama: 'Ollama' };

export interface RemoteConfig {
  backend: RemoteBackend;
  /** Base URL: `http://host:8080` (OpenAI's may end in /v1). */
  endpoint: string;
  /** The engine's model name; empty for a llama.cpp server (it serves one model). */
  model: string;
  fimTemplate: FimTemplate;
  /** Sent only to the endpoint's origin; never logged. */
  apiKey?: string;
  /** Idle limit of one request (no reply, or no byte of a streamed one, for this long). */
  timeoutMs: number;
  hints: RemoteHints;
}

export interface CompleteRequest {
  prefix: string;
  /** Text after the cursor: fill-in-the-middle. Absent: a plain continuation of `prefix` (palette Generate, the CLI). */
  suffix?: string;
  context?: ContextChunk[];
  filePath?: string;
  options: GenerationOptions;
  signal?: AbortSignal;
  onToken?: (e: TokenEvent) => void;
}

export interface ChatRequest {
  messages: ChatMessage[];
  options: GenerationOptions;
  signal?: AbortSignal;
  onToken?: (e: TokenEvent) => void;
}

export interface RemoteResult {
  texts: string[];
  stopReasons: StopReason[];
  /** As the engine counted them; undefined when it does not say. */
  promptTokens?: number;
  completionTokens?: number;
  /** Measured here, from sending the request. */
  timeToFirstTokenMs: number;
  totalMs: number;
}

export interface RemoteEngine {
  readonly config: RemoteConfig;
  complete(r: CompleteRequest): Promise<RemoteResult>;
  chat(r: ChatRequest): Promise<RemoteResult>;
}
