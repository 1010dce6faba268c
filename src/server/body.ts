/**
 * Reading a request's JSON body within a byte limit: a larger body is refused before it is
 * buffered (413), malformed JSON is a 400 that says so.
 */
import type { IncomingMessage } from 'node:http';
import { ApiError } from './apiError';

export async function readJson(req: IncomingMessage, maxBytes: number): Promise<Record<string, unknown>> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw new ApiError(413, `Request body of ${declared} bytes is over the limit of ${maxBytes} bytes (--max-body-bytes).`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new ApiError(413, `Request body is over the limit of ${maxBytes} bytes (--max-body-bytes).`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new ApiError(400, `The request body is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ApiError(400, 'The request body must be a JSON object.');
  return v as Record<string, unknown>;
}
