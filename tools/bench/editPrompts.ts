/**
 * Code-editing prompts for the decode benchmark, where a code model mostly copies text that is
 * already in its prompt: (a) a file re-emitted with a small edit (a base model sees the file, then
 * the start of its edited copy, and greedy continuation copies the rest), and (b) a completion
 * inside code whose nearby lines repeat. Sized for a 256-token context.
 */

export interface EditWorkload {
  /** Figure id part: small_${id}_spec_speedup. */
  id: 'edit' | 'repeat';
  name: string;
  prompt: string;
  newTokens: number;
}

/** About `chars` characters of whole lines from the first top-level def or class of `text`. */
export function snippet(text: string, chars: number): string {
  const at = Math.max(0, text.search(/^(def|class) /m));
  const lines = text.slice(at).split('\n');
  let out = '';
  for (const l of lines) {
    if (out.length + l.length + 1 > chars && out) break;
    out += l + '\n';
  }
  return out;
}

/** A small edit: the variable used most (attributes aside) is renamed everywhere (what a refactoring re-emits). */
export function smallEdit(code: string): string {
  const counts = new Map<string, number>();
  for (const m of code.matchAll(/(?<![.\w])[a-z_][a-z0-9_]{3,}\b/g)) counts.set(m[0], (counts.get(m[0]) ?? 0) + 1);
  const keywords = new Set(['self', 'return', 'else', 'elif', 'import', 'from', 'with', 'while', 'pass', 'none', 'true', 'false', 'class', 'lambda', 'yield', 'raise', 'try', 'except', 'finally', 'global', 'assert', 'break', 'continue']);
  const name = [...counts].filter(([n, c]) => c >= 2 && !keywords.has(n)).sort((a, b) => b[1] - a[1])[0]?.[0];
  return name ? code.replace(new RegExp(`(?<![.\\w])${name}\\b`, 'g'), `${name}2`) : code.replace(/\n/, '  # edited\n');
}

const REPEATING = `class Settings:
    """Options read from a JSON file, with defaults."""

    def __init__(self, data):
        self.name = data.get("name", "")
        self.path = data.get("path", "")
        self.size = data.get("size", 0)
        self.mode = data.get("mode", "r")
        self.encoding = data.get("encoding", "utf-8")

    def to_dict(self):
        return {
            "name": self.name,
`;

export function editPrompts(heldOut: string): EditWorkload[] {
  const before = snippet(heldOut, 300);
  const after = smallEdit(before);
  const firstLine = after.slice(0, after.indexOf('\n') + 1);
  return [
    { id: 'edit', name: 'file re-emitted with a small edit', prompt: `${before}\n\n${firstLine}`, newTokens: 64 },
    { id: 'repeat', name: 'completion inside repeating code', prompt: REPEATING, newTokens: 48 },
  ];
}
