/**
 * Remote engines as backends: which client speaks to which engine, and the local path's result
 * shape for what they return, so the surfaces (inline completions, Generate, the panel, the CLI)
 * treat a remote generation like a local one.
 */
import type { GenerateResult } from '../../protocol/types';
import type { RemoteBackend, RemoteConfig, RemoteEngine, RemoteResult } from './engine';
import { RemoteError } from './errors';
import { LlamaCppEngine } from './llamacpp';
import { OllamaEngine } from './ollama';
import { OpenAiEngine } from './openai';

export { REMOTE_BACKENDS, ENGINE_NAMES, type RemoteBackend, type RemoteConfig, type RemoteEngine, type RemoteResult, type CompleteRequest, type ChatRequest } from './engine';
export { RemoteError, REMOTE_ERROR_KINDS, type RemoteErrorKind, type RemoteHints } from './errors';
export { FIM_TEMPLATES, type FimTemplate } from './fim';

const ENGINES: Record<RemoteBackend, new (c: RemoteConfig) => RemoteEngine> = { openai: OpenAiEngine, llamacpp: LlamaCppEngine, ollama: OllamaEngine };

/** The client for `c.backend`; a configuration error (no endpoint, not a URL, no model where one is needed) is a RemoteError of kind `config`. */
export function createEngine(c: RemoteConfig): RemoteEngine {
  let url: URL;
  try {
    url = new URL(c.endpoint);
  } catch {
    throw new RemoteError('config', c.endpoint.trim() === '' ? `No endpoint set for the ${c.backend} backend: set ${c.hints.endpoint} (e.g. ${EXAMPLE_ENDPOINTS[c.backend]}).` : `${JSON.stringify(c.endpoint)} is not a URL: set ${c.hints.endpoint} (e.g. ${EXAMPLE_ENDPOINTS[c.backend]}).`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RemoteError('config', `${c.endpoint} is not an http:// or https:// URL (${c.hints.endpoint}).`);
  if (url.username || url.password) throw new RemoteError('config', `Put no credentials in the endpoint URL (${c.hints.endpoint}); set the API key with ${c.hints.apiKey}.`);
  // llama.cpp's server serves the one model it was started with; the others need its name.
  if (c.backend !== 'llamacpp' && c.model.trim() === '') throw new RemoteError('config', `The ${c.backend} backend needs a model name (the engine's own, e.g. ${EXAMPLE_MODELS[c.backend]}).`);
  return new ENGINES[c.backend](c);
}

export const EXAMPLE_ENDPOINTS: Record<RemoteBackend, string> = { openai: 'http://localhost:8000/v1', llamacpp: 'http://127.0.0.1:8012', ollama: 'http://127.0.0.1:11434' };
const EXAMPLE_MODELS: Record<RemoteBackend, string> = { openai: 'Qwen/Qwen2.5-Coder-7B', llamacpp: '', ollama: 'qwen2.5-coder:7b-base' };

/**
 * A remote result in the local result's shape. The engine's token ids are not known (an empty list
 * per sequence); counts the engine did not give are 0; `ep` names no local provider, so it carries
 * the backend's name for the panel's stats line.
 */
export function toGenerateResult(r: RemoteResult, backend: RemoteBackend): GenerateResult {
  const newTokens = r.completionTokens ?? 0;
  const decodeMs = Math.max(0, r.totalMs - r.timeToFirstTokenMs);
  return {
    texts: r.texts,
    tokenIds: r.texts.map(() => []),
    stopReasons: r.stopReasons,
    stats: {
      promptTokens: r.promptTokens ?? 0,
      reusedTokens: 0,
      truncatedTokens: 0,
      newTokens,
      timeToFirstTokenMs: r.timeToFirstTokenMs,
      tokensPerSecond: decodeMs > 0 ? (newTokens * 1000) / decodeMs : 0,
      totalMs: r.totalMs,
      // The stats line shows where the model ran: here, the remote backend (no local provider ran).
      ep: backend as unknown as GenerateResult['stats']['ep'],
      seed: 0,
      fim: false,
      draftTokens: 0,
      acceptedDraftTokens: 0,
      decodeSteps: 0,
      contextChunks: 0,
      contextTokens: 0,
    },
  };
}
export { RemoteEmbedder, EMBEDDING_BACKENDS, type EmbeddingBackend, type EmbeddingConfig } from './embeddings';
