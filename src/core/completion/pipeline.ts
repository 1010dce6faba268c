/**
 * The completion pipeline without VS Code: type-through cache, one request in flight (a newer
 * keystroke aborts the older request inside the worker), post-processing. The inline provider
 * adapts VS Code's API to it; the keystroke-replay benchmark drives it directly.
 */
import { postprocess, type CompletionContext } from './postprocess';
import { TypeThroughCache } from './typeThroughCache';

export type CompletionRequester = (prefix: string, suffix: string, n: number, signal: AbortSignal) => Promise<string[]>;

export interface CompletionQuery {
  key: string;
  prefix: string;
  suffix: string;
  ctx: CompletionContext;
  /** Manual trigger: skip the cache and ask for alternatives. */
  manual: boolean;
}

export interface CompletionOutcome {
  texts: string[];
  fromCache: boolean;
}

export class CompletionPipeline {
  private readonly cache = new TypeThroughCache();
  private inflight: AbortController | undefined;

  constructor(private readonly request: CompletionRequester) {}

  /** Served from the type-through cache, or undefined when the model must be asked. */
  cached(q: CompletionQuery): CompletionOutcome | undefined {
    if (q.manual) return undefined;
    const hit = this.cache.get(q.key, q.prefix, q.suffix);
    return hit ? { texts: hit, fromCache: true } : undefined;
  }

  /** Asks the model (aborting any older request) and post-processes what comes back. */
  async generate(q: CompletionQuery, signal?: AbortSignal): Promise<CompletionOutcome> {
    this.inflight?.abort();
    const ac = new AbortController();
    this.inflight = ac;
    const onAbort = () => ac.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const raw = await this.request(q.prefix, q.suffix, q.manual ? 3 : 1, ac.signal);
      const texts = [...new Set(raw.map((t) => postprocess(t, q.ctx)).filter((t): t is string => !!t))].slice(0, q.manual ? 5 : 1);
      this.cache.put(q.key, q.prefix, q.suffix, texts);
      return { texts, fromCache: false };
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (this.inflight === ac) this.inflight = undefined;
    }
  }

  dispose(): void {
    this.inflight?.abort();
    this.cache.clear();
  }
}
