/**
 * Errors on the wire in the shape OpenAI clients read (`{error: {message, type, param, code}}`),
 * with the HTTP status each host error maps to. llama.cpp's server uses the same envelope.
 */
import { HostError, type ErrorCode } from '../protocol/errors';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type = status >= 500 ? 'server_error' : 'invalid_request_error',
    readonly param?: string,
    readonly code?: string,
    /** Seconds, for 429 and 503. */
    readonly retryAfter?: number,
  ) {
    super(message);
  }

  body(): { error: { message: string; type: string; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param ?? null, code: this.code ?? null } };
  }
}

const STATUS: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  MODEL_NOT_FOUND: 404,
  MODEL_INVALID: 500,
  MODEL_UNSUPPORTED: 400,
  INFERENCE_FAILED: 500,
  CANCELLED: 499,
  HOST_DIED: 503,
  HOST_SHUTDOWN: 503,
  INTERNAL: 500,
};

/** Any failure as an ApiError: host errors keep their message and code; anything else is a 500 without internals. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (e instanceof HostError) {
    const status = STATUS[e.code];
    return new ApiError(status, e.message, undefined, undefined, e.code.toLowerCase(), status === 503 ? 1 : undefined);
  }
  return new ApiError(500, 'Internal error in onnx-assist serve (see its log).');
}

export const badParam = (param: string, message: string) => new ApiError(400, `${param}: ${message}`, 'invalid_request_error', param);
