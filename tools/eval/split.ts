/** Deterministic dataset splits from a content hash: the same item always lands in the same split. */
import { createHash } from 'node:crypto';

export type Split = 'train' | 'val' | 'test';

/** 80/10/10 by the first 32 bits of a hex digest. */
export function splitOfDigest(hex: string): Split {
  const bucket = parseInt(hex.slice(0, 8), 16) % 10;
  return bucket === 0 ? 'test' : bucket === 1 ? 'val' : 'train';
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
