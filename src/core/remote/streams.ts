/**
 * The two ways engines stream: server-sent events (OpenAI, llama.cpp: `data: {json}` blocks,
 * OpenAI ending with `data: [DONE]`), parsed by eventsource-parser, and newline-delimited JSON
 * (Ollama). Both yield parsed JSON objects; a reply that is a single JSON document (a server that
 * did not stream) yields that one object.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { malformed, type ErrorScope } from './errors';
import { readText } from './transport';

export type StreamFormat = 'sse' | 'ndjson' | 'json';

/** What the reply's content type says it is; the expected format when it says nothing useful. */
export function formatOf(contentType: string | undefined, expected: StreamFormat): StreamFormat {
  const t = (contentType ?? '').toLowerCase();
  if (t.includes('text/event-stream')) return 'sse';
  if (t.includes('ndjson') || t.includes('jsonl')) return 'ndjson';
  if (t.includes('application/json')) return expected === 'ndjson' ? 'ndjson' : 'json';
  return expected;
}

function parse(s: ErrorScope, text: string, expected: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw malformed(s, expected, text);
  }
}

/** The JSON data of each SSE event, until `[DONE]` or the end of the body. */
export async function* sseObjects(body: AsyncIterable<Buffer>, s: ErrorScope, expected: string): AsyncGenerator<unknown> {
  const queue: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (e) => queue.push(e) });
  const decoder = new TextDecoder();
  const drain = function* (): Generator<unknown, boolean> {
    while (queue.length) {
      const e = queue.shift()!;
      if (e.data === '[DONE]') return true;
      if (e.data.trim() === '') continue;
      yield parse(s, e.data, expected);
    }
    return false;
  };
  for await (const chunk of body) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    if (yield* drain()) return;
  }
  // A last event without its blank line is still an event.
  parser.feed(`${decoder.decode()}\n\n`);
  yield* drain();
}

/** One JSON object per line. */
export async function* ndjsonObjects(body: AsyncIterable<Buffer>, s: ErrorScope, expected: string): AsyncGenerator<unknown> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (line) yield parse(s, line, expected);
    }
  }
  const last = (buffer + decoder.decode()).trim();
  if (last) yield parse(s, last, expected);
}

/** The reply's objects in whichever of the three forms it came. */
export async function* objects(body: AsyncIterable<Buffer>, format: StreamFormat, s: ErrorScope, expected: string): AsyncGenerator<unknown> {
  if (format === 'sse') yield* sseObjects(body, s, expected);
  else if (format === 'ndjson') yield* ndjsonObjects(body, s, expected);
  else yield parse(s, await readText(body), expected);
}
