/** Bag-of-identifiers similarity between pieces of code (Jaccard over their word sets). */

/** The identifiers and numbers in a text, as a set. */
export function wordSet(text: string): Set<string> {
  return new Set(text.match(/[A-Za-z_$][\w$]*|\d+/g) ?? []);
}

/** |a ∩ b| / |a ∪ b|; 0 for two empty sets. */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let shared = 0;
  for (const w of small) if (large.has(w)) shared++;
  return shared / (a.size + b.size - shared);
}
