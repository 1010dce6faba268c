/**
 * The one form a cancel takes inside the host: a flag the message loop sets and every long job
 * (decode loop, encoder batches) reads between steps. The decode loop also counts its steps on
 * it, so a CANCELLED error says where the cancel arrived and where the work stopped; tests
 * assert on those numbers instead of on timing.
 */
import { HostError } from '../protocol/errors';

/** Set by the message loop (`cancelled`, `receivedAtStep`), counted by the decode loop (`steps`), read by the rest. */
export interface Cancellation {
  cancelled: boolean;
  /** Forward passes this request has run; the host notes it when a cancel arrives. */
  steps?: number;
  /** `steps` when the cancel arrived. */
  receivedAtStep?: number;
}

/** The CANCELLED error of a generation, with where the cancel arrived and where the loop stopped. */
export function cancelledError(cancel: Cancellation): HostError {
  const stoppedAtStep = cancel.steps ?? 0;
  return new HostError('CANCELLED', 'Generation was cancelled.', { receivedAtStep: cancel.receivedAtStep ?? stoppedAtStep, stoppedAtStep });
}
