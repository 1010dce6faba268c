/**
 * A bounded queue per model: the host runs one request per model at a time, so more than
 * `limit` waiting requests would only grow latency without bound. Past the limit a request is
 * refused at once with 429 and Retry-After instead of queueing.
 */
import { ApiError } from './apiError';

export class ModelQueues {
  private readonly counts = new Map<string, number>();

  constructor(
    /** Requests per model running or waiting. */
    private readonly limit: number,
  ) {}

  /** Holds a place for a request on `model`, released by the returned function (once). */
  enter(model: string): () => void {
    const n = this.counts.get(model) ?? 0;
    if (n >= this.limit) throw new ApiError(429, `${n} requests are already running or waiting for ${model} (--max-queue ${this.limit}); retry later.`, 'rate_limit_error', undefined, 'queue_full', 1);
    this.counts.set(model, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.counts.get(model) ?? 1) - 1;
      if (left <= 0) this.counts.delete(model);
      else this.counts.set(model, left);
    };
  }

  /** Requests running or waiting, over all models. */
  get size(): number {
    let n = 0;
    for (const c of this.counts.values()) n += c;
    return n;
  }
}
