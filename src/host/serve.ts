/**
 * The host's message loop over any transport (a worker_threads port now, child-process IPC
 * for the isolation mode): decode a request, run it on the engine, post events and the result.
 * Cancellation sets a flag that the decode loop checks between steps.
 */
import { HostError } from '../protocol/errors';
import type { ClientMessage, HostMessage, Method } from '../protocol/types';
import { parseClientMessage, parseParams } from '../protocol/validate';
import { Engine } from './engine';

export interface Transport {
  post(message: HostMessage): void;
  onMessage(handler: (message: unknown) => void): void;
  close(): void;
}

/** A request's cancel flag; the decode loop counts its steps here so a cancel can be traced to a step. */
interface CancelFlag {
  cancelled: boolean;
  steps?: number;
  receivedAtStep?: number;
}

export function serve(transport: Transport, ortVersion: string): Engine {
  const engine = new Engine();
  const inflight = new Map<number, CancelFlag>();

  const handle = async (msg: Extract<ClientMessage, { kind: 'request' }>, cancel: CancelFlag): Promise<unknown> => {
    const method: Method = msg.method;
    switch (method) {
      case 'load':
        return engine.load(parseParams('load', msg.params));
      case 'unload':
        return { unloaded: await engine.unload(parseParams('unload', msg.params).modelPath) };
      case 'generate':
        return engine.generate(
          parseParams('generate', msg.params),
          (sequence, text) => transport.post({ kind: 'event', id: msg.id, event: { type: 'token', sequence, text } }),
          cancel,
        );
      case 'classify':
        return engine.classify(parseParams('classify', msg.params), cancel);
      case 'embed':
        return engine.embed(parseParams('embed', msg.params), cancel);
      case 'zeroShot':
        return engine.zeroShot(parseParams('zeroShot', msg.params), cancel);
      case 'trainClassifier':
        return engine.trainClassifier(parseParams('trainClassifier', msg.params), cancel);
      case 'score':
        return engine.score(parseParams('score', msg.params));
      case 'status':
        return engine.status();
      case 'shutdown':
        for (const [id, c] of inflight) if (id !== msg.id) c.cancelled = true;
        await engine.dispose();
        setImmediate(() => transport.close());
        return {};
    }
  };

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
    const cancel: CancelFlag = { cancelled: false };
    inflight.set(msg.id, cancel);
    void handle(msg, cancel).then(
      (result) => transport.post({ kind: 'response', id: msg.id, result }),
      (e: unknown) => transport.post({ kind: 'error', id: msg.id, error: HostError.wrap(e).toWire() }),
    ).finally(() => inflight.delete(msg.id));
  });
  transport.post({ kind: 'ready', ortVersion });
  return engine;
}
