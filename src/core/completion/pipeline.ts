/**
 * The completion pipeline without VS Code: type-through cache, one request in flight (a newer
 * keystroke aborts the older request inside the worker), post-processing. The inline provider
 * adapts VS Code's API to it; the keystroke-replay benchmark drives it directly.
 */
import type { ContextChunk, GenerationOptions } from '../../protocol/types';
import { candidates, requestOptions, type CompletionLimits } from './policy';
import { postprocess, type CompletionContext } from './postprocess';
import { TypeThroughCache } from './typeThroughCache';

/** One generate request to the host: the texts it returns. */
export interface CompletionRequest {
  prefix: string;
  suffix: string;
  options: GenerationOptions;
  signal: AbortSignal;
  /** Project chunks to put before the prompt, and the current file's workspace-relative path. */
  context?: ContextChunk[];
  filePath?: string;
  /** The workspace's name (models with a repository-name token put it before the context). */
  repoName?: string;
}
export type CompletionRequester = (r: CompletionRequest) => Promise<string[]>;

export interface CompletionQuery {
  key: string;
  prefix: string;
  suffix: string;
  ctx: CompletionContext;
  /** Manual trigger: skip the cache and ask for alternatives. */
  manual: boolean;
  /** Chunks of other project files (core/completion/context/), in prompt order. */
  context?: ContextChunk[];
  /** The current file's workspace-relative path (named after the context), and the workspace's name. */
  filePath?: string;
  repoName?: string;
}

export interface CompletionOutcome {
  texts: string[];
}

export class CompletionPipeline {
  private readonly cache = new TypeThroughCache();
  private inflight: AbortController | undefined;

  constructor(
    private readonly request: CompletionRequester,
    /** Read per request, so settings changes apply at once. */
    private readonly limits: () => CompletionLimits,
  ) {}

  /** Served from the type-through cache, or undefined when the model must be asked. */
  cached(q: CompletionQuery): CompletionOutcome | undefined {
    if (q.manual) return undefined;
    const hit = this.cache.get(q.key, q.prefix, q.suffix);
    return hit ? { texts: hit } : undefined;
  }

  /** Asks the model (aborting any older request) and post-processes what comes back. */
  async generate(q: CompletionQuery, signal?: AbortSignal): Promise<CompletionOutcome> {
    this.inflight?.abort();
    const ac = new AbortController();
    this.inflight = ac;
    // One signal down to the host: the caller's (keystroke cancelled) or a newer request's.
    const combined = signal ? AbortSignal.any([signal, ac.signal]) : ac.signal;
    try {
      const { ask, show } = candidates(q.manual);
      const raw: string[] = [];
      for (const options of requestOptions(this.limits(), ask, q.ctx)) raw.push(...(await this.request({ prefix: q.prefix, suffix: q.suffix, options, signal: combined, context: q.context, filePath: q.filePath, repoName: q.repoName })));
      const texts = [...new Set(raw.map((t) => postprocess(t, q.ctx)).filter((t): t is string => !!t))].slice(0, show);
      this.cache.put(q.key, q.prefix, q.suffix, texts);
      return { texts };
    } finally {
      if (this.inflight === ac) this.inflight = undefined;
    }
  }

  dispose(): void {
    this.inflight?.abort();
    this.cache.clear();
  }
}
