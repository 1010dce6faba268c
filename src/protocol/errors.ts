/**
 * Errors that cross the host boundary: the codes a caller can act on, their wire form, and
 * HostError, which carries one through `throw` on either side.
 */

export const ERROR_CODES = [
  'BAD_REQUEST',
  'MODEL_NOT_FOUND',
  'MODEL_INVALID',
  'MODEL_UNSUPPORTED',
  'INFERENCE_FAILED',
  'CANCELLED',
  'HOST_DIED',
  'HOST_SHUTDOWN',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface CancelTrace {
  receivedAtStep: number;
  stoppedAtStep: number;
}

export interface WireError {
  code: ErrorCode;
  message: string;
  /** For CANCELLED generations: forward passes done when the cancel arrived, and when the loop stopped. */
  cancel?: CancelTrace;
}

/** An error that crosses the host boundary with a code the caller can act on. */
export class HostError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly cancel?: CancelTrace,
  ) {
    super(message);
    this.name = 'HostError';
  }

  toWire(): WireError {
    return this.cancel ? { code: this.code, message: this.message, cancel: this.cancel } : { code: this.code, message: this.message };
  }

  static fromWire(e: WireError): HostError {
    return new HostError(e.code, e.message, e.cancel);
  }

  /** Any thrown value as a wire error; unknown errors become INTERNAL with their message. */
  static wrap(e: unknown, fallback: ErrorCode = 'INTERNAL'): HostError {
    if (e instanceof HostError) return e;
    const message = e instanceof Error ? e.message : String(e);
    return new HostError(fallback, message);
  }
}

export function isCancelled(e: unknown): boolean {
  return e instanceof HostError && e.code === 'CANCELLED';
}
