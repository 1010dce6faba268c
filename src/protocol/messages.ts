/**
 * The envelope of every message between a client and the host (worker port or process IPC), and
 * the check of what a client sends; a request's params are checked by parseParams when served.
 */
import type { WireError } from './errors';
import type { TokenEvent } from './generation';
import { HOST_METHODS, isMethod, type Method } from './methods';
import { fail, obj } from './validate';

export type HostEvent = TokenEvent;

/** Client -> host. */
export type ClientMessage =
  | { kind: 'request'; id: number; method: Method; params: unknown }
  | { kind: 'cancel'; id: number };

/** Host -> client. */
export type HostMessage =
  | { kind: 'ready'; ortVersion: string }
  | { kind: 'event'; id: number; event: HostEvent }
  | { kind: 'response'; id: number; result: unknown }
  | { kind: 'error'; id: number; error: WireError }
  | { kind: 'log'; level: 'info' | 'warn' | 'error'; message: string };

/** Checks the envelope of a client message; params are checked by parseParams when served. */
export function parseClientMessage(v: unknown): ClientMessage {
  const o = obj(v, 'message');
  const id = o.id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) fail('message.id', 'a non-negative integer', id);
  if (o.kind === 'cancel') return { kind: 'cancel', id };
  if (o.kind !== 'request') fail('message.kind', '"request" or "cancel"', o.kind);
  if (!isMethod(o.method)) fail('message.method', `one of ${Object.keys(HOST_METHODS).join(', ')}`, o.method);
  return { kind: 'request', id, method: o.method, params: o.params };
}
