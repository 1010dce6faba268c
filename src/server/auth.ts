/**
 * Bearer-key checks in constant time: both sides are hashed first, so neither the comparison nor
 * a length check says how much of a guessed key was right.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export function keyMatches(req: IncomingMessage, key: string): boolean {
  const header = req.headers.authorization ?? '';
  const m = /^Bearer\s+(.+)$/i.exec(header);
  return timingSafeEqual(digest(m ? m[1].trim() : ''), digest(key)) && !!m;
}

/** Loopback addresses, the only ones served without a key. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
