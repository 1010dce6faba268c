/**
 * Which workspace files never become context: VS Code `files.exclude` globs and `.gitignore`
 * rules. Paths are workspace-relative with `/` separators. A simple matcher, not all of git's:
 * comments, `!` negation (last match wins), a trailing `/` for folders, a leading or inner `/`
 * to anchor, `*`, `?`, `[...]`, `**`; VS Code globs add `{a,b}`. A folder that matches excludes
 * everything under it.
 */

/** A regular expression for a glob over `/`-separated paths. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === '*') {
      if (glob[i + 1] === '*') {
        // `**/` matches any number of folders (none included); a trailing `**` anything.
        const slash = glob[i + 2] === '/';
        re += slash ? '(?:.*/)?' : '.*';
        i += slash ? 2 : 1;
      } else re += '[^/]*';
    } else if (ch === '?') re += '[^/]';
    else if (ch === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        const body = glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = end;
      }
    } else if (ch === '{') {
      braces++;
      re += '(?:';
    } else if (ch === '}' && braces > 0) {
      braces--;
      re += ')';
    } else if (ch === ',' && braces > 0) re += '|';
    else if (ch === '\\' && i + 1 < glob.length) re += escape(glob[++i]);
    else re += escape(ch);
  }
  return new RegExp(`^${re}$`);
}

function escape(ch: string): string {
  return /[.+^$()|[\]{}\\/]/.test(ch) ? `\\${ch}` : ch;
}

/** The path and each folder above it: `a/b/c.py` -> `a`, `a/b` (folders), then `a/b/c.py`. */
function withParents(path: string): { path: string; folder: boolean }[] {
  const parts = path.split('/').filter((p) => p !== '');
  return parts.map((_, i) => ({ path: parts.slice(0, i + 1).join('/'), folder: i < parts.length - 1 }));
}

/** True when a `files.exclude`-style glob matches the path or a folder above it. */
export function matchesGlobs(path: string, globs: readonly string[]): boolean {
  const res = globs.map((g) => globToRegExp(g.replace(/^\.\//, '').replace(/\/$/, '')));
  return withParents(path).some((p) => res.some((r) => r.test(p.path)));
}

interface Rule {
  re: RegExp;
  negate: boolean;
  folderOnly: boolean;
}

/** The rules of one `.gitignore` file, in the folder `base` (workspace-relative, '' for the root). */
export class GitIgnore {
  private readonly rules: Rule[] = [];

  constructor(
    text: string,
    private readonly base = '',
  ) {
    for (const raw of text.split(/\r?\n/)) {
      let line = raw.replace(/(?<!\\)\s+$/, '');
      if (line === '' || line.startsWith('#')) continue;
      const negate = line.startsWith('!');
      if (negate) line = line.slice(1);
      if (line.startsWith('\\#') || line.startsWith('\\!')) line = line.slice(1);
      const folderOnly = line.endsWith('/');
      if (folderOnly) line = line.slice(0, -1);
      // A slash at the start or in the middle anchors the pattern to this folder.
      const anchored = line.includes('/');
      line = line.replace(/^\//, '');
      if (line === '') continue;
      this.rules.push({ re: globToRegExp(anchored ? line : `**/${line}`), negate, folderOnly });
    }
  }

  /** True when the rules ignore the path (or a folder above it); last matching rule wins. */
  ignores(path: string): boolean {
    if (this.base && !path.startsWith(`${this.base}/`)) return false;
    const rel = this.base ? path.slice(this.base.length + 1) : path;
    for (const p of withParents(rel)) {
      let ignored: boolean | undefined;
      for (const r of this.rules) if ((p.folder || !r.folderOnly) && r.re.test(p.path)) ignored = !r.negate;
      // Git cannot re-include a file whose folder is ignored.
      if (ignored && p.folder) return true;
      if (!p.folder && ignored !== undefined) return ignored;
    }
    return false;
  }
}
