/**
 * The host's message loop over any transport (a worker_threads port now, child-process IPC
 * for the isolation mode): decode a request, check its params against the method table, run its
 * handler on the engine, post events and the result. Cancellation sets a flag that the decode
 * loop checks between steps.
 */
import { HostError } from '../protocol/errors';
import { parseClientMessage, type ClientMessage, type HostMessage } from '../protocol/messages';
import { parseParams, type Method, type ParamsOf, type ResultOf } from '../protocol/methods';
import type { Cancellation } from './cancellation';
import { Engine } from './engine';

export interface Transport {
  post(message: HostMessage): void;
  onMessage(handler: (message: unknown) => void): void;
  close(): void;
}

/** What a handler knows about its request besides the params. */
export interface RequestContext {
  id: number;
  cancel: Cancellation;
}

/** One handler per method of the table: a method without one does not compile. */
export type Handlers = { [M in Method]: (params: ParamsOf<M>, ctx: RequestContext) => Promise<ResultOf<M>> };

/** The handlers over one engine; `inflight` holds every running request's cancel flag (shutdown cancels them). */
export function handlers(engine: Engine, transport: Transport, inflight: Map<number, Cancellation>): Handlers {
  return {
    load: (p) => engine.load(p),
    unload: async (p) => ({ unloaded: await engine.unload(p.modelPath) }),
    generate: (p, { id, cancel }) => engine.generate(p, (sequence, text) => transport.post({ kind: 'event', id, event: { type: 'token', sequence, text } }), cancel),
    prefill: (p, { cancel }) => engine.prefill(p, cancel),
    classify: (p, { cancel }) => engine.classify(p, cancel),
    embed: (p, { cancel }) => engine.embed(p, cancel),
    zeroShot: (p, { cancel }) => engine.zeroShot(p, cancel),
    trainClassifier: (p, { cancel }) => engine.trainClassifier(p, cancel),
    score: (p) => engine.score(p),
    countTokens: (p) => engine.countTokens(p),
    status: () => engine.status(),
    shutdown: async (_p, { id }) => {
      for (const [other, c] of inflight) if (other !== id) c.cancelled = true;
      await engine.dispose();
      setImmediate(() => transport.close());
      return {};
    },
  };
}

export function serve(transport: Transport, ortVersion: string): Engine {
  const engine = new Engine();
  const inflight = new Map<number, Cancellation>();
  const table = handlers(engine, transport, inflight);
  const run = async <M extends Method>(method: M, params: unknown, ctx: RequestContext): Promise<ResultOf<M>> => table[method](parseParams(method, params), ctx);

  transport.onMessage((raw) => {
    let msg: ClientMessage;
    try {
      msg = parseClientMessage(raw);
    } catch (e) {
      const id = typeof (raw as { id?: unknown })?.id === 'number' ? (raw as { id: number }).id : -1;
      transport.post({ kind: 'error', id, error: HostError.wrap(e, 'BAD_REQUEST').toWire() });
      return;
    }
    if (msg.kind === 'cancel') {
      const c = inflight.get(msg.id);
      if (c && !c.cancelled) {
        c.cancelled = true;
        c.receivedAtStep = c.steps ?? 0;
      }
      return;
    }
    const { id, method, params } = msg;
    const cancel: Cancellation = { cancelled: false };
    inflight.set(id, cancel);
    void run(method, params, { id, cancel }).then(
      (result) => transport.post({ kind: 'response', id, result }),
      (e: unknown) => transport.post({ kind: 'error', id, error: HostError.wrap(e).toWire() }),
    ).finally(() => inflight.delete(id));
  });
  transport.post({ kind: 'ready', ortVersion });
  return engine;
}
