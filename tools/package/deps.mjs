// Which installed packages the shipped bundles need at run time, found by reading code, not by
// trusting package.json: start from the bundles, follow every literal require(), require.resolve(),
// import() and import/export-from through node_modules, file by file, and keep the packages the
// walk reaches. A package's own install scripts and tools are never reached, so what only they
// need (onnxruntime-node's NuGet downloader: adm-zip, global-agent) stays out.
import { readFileSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';

/** Modules the VS Code extension host provides; never in node_modules. */
const HOST_PROVIDED = new Set(['vscode']);

const LITERAL = [
  /\brequire\(\s*(['"`])([^'"`$\n]+)\1\s*\)/g,
  /\brequire\.resolve\(\s*(['"`])([^'"`$\n]+)\1/g,
  /\bimport\(\s*(['"`])([^'"`$\n]+)\1\s*\)/g,
  /(?:^|[\s;})])(?:import|export)\s+(?:[\w$*{}\s,]+?\s+from\s+)?(['"])([^'"\n]+)\1/g,
];
/** A require() or import() whose argument is computed: the walk cannot follow it. */
const COMPUTED = /\b(?:require|import)\(\s*(?![\s'")]|`[^`$]*`)([^)\n]{0,60})/g;

/** Every module specifier a source text names literally, and the computed ones as snippets. */
export function specifiers(source) {
  const found = new Set();
  for (const re of LITERAL) for (const m of source.matchAll(re)) found.add(m[2]);
  const computed = [...source.matchAll(COMPUTED)].map((m) => m[0]);
  return { found: [...found], computed };
}

function isFile(p) {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function readJson(p) {
  return JSON.parse(readFileSync(p, 'utf8'));
}

/** Node's file lookup for a path without its extension or naming a folder. */
function resolveFile(p) {
  for (const c of [p, `${p}.js`, `${p}.cjs`, `${p}.mjs`, `${p}.json`, `${p}.node`]) if (isFile(c)) return c;
  if (isFile(join(p, 'package.json'))) {
    const main = readJson(join(p, 'package.json')).main;
    if (main) {
      const m = resolveFile(join(p, main));
      if (m) return m;
    }
  }
  for (const c of ['index.js', 'index.cjs', 'index.mjs', 'index.json']) if (isFile(join(p, c))) return join(p, c);
  return undefined;
}

/** All string targets under an exports entry, whatever the condition (require, import, node, default...). */
function leaves(target) {
  if (typeof target === 'string') return [target];
  if (Array.isArray(target)) return target.flatMap(leaves);
  if (target && typeof target === 'object') return Object.values(target).flatMap(leaves);
  return [];
}

/** The files a bare specifier may load from a package folder, under any condition. */
function packageEntries(pkgDir, subpath) {
  const pkg = readJson(join(pkgDir, 'package.json'));
  const key = subpath ? `./${subpath}` : '.';
  if (pkg.exports !== undefined) {
    const exp = typeof pkg.exports === 'string' || Array.isArray(pkg.exports) || !Object.keys(pkg.exports).some((k) => k.startsWith('.')) ? { '.': pkg.exports } : pkg.exports;
    let targets = exp[key] !== undefined ? leaves(exp[key]) : [];
    if (!targets.length) {
      for (const [pattern, t] of Object.entries(exp)) {
        const star = pattern.indexOf('*');
        if (star < 0) continue;
        const [pre, post] = [pattern.slice(0, star), pattern.slice(star + 1)];
        if (key.startsWith(pre) && key.endsWith(post) && key.length >= pre.length + post.length) {
          const hole = key.slice(pre.length, key.length - post.length);
          targets = leaves(t).map((x) => x.replaceAll('*', hole));
          break;
        }
      }
    }
    return targets.map((t) => resolveFile(join(pkgDir, t))).filter(Boolean);
  }
  const f = resolveFile(subpath ? join(pkgDir, subpath) : pkg.main ? join(pkgDir, pkg.main) : pkgDir);
  return f ? [f] : [];
}

/** The installed folder of package `name` as Node would find it from `fromDir`. */
function findPackage(name, fromDir, root) {
  for (let d = fromDir; ; d = dirname(d)) {
    const candidate = join(d, 'node_modules', name);
    if (isFile(join(candidate, 'package.json'))) return candidate;
    if (d === root || dirname(d) === d) return undefined;
  }
}

/** The package root (…/node_modules/name or …/node_modules/@scope/name) holding a file. */
export function packageRootOf(file) {
  const parts = file.split(sep);
  const i = parts.lastIndexOf('node_modules');
  if (i < 0) return undefined;
  const n = parts[i + 1]?.startsWith('@') ? 3 : 2;
  return parts.slice(0, i + n).join(sep);
}

/**
 * Walks from `entries` (absolute paths of the shipped bundles) and returns the package folders
 * reached (absolute), the bare specifiers each bundle names, what could not be resolved and the
 * computed requires seen inside packages (for a person to check; the whole package ships).
 */
export function runtimePackages(entries, root) {
  const seen = new Set();
  const packages = new Set();
  const unresolved = [];
  const computed = [];
  const external = new Map();
  const queue = [...entries];
  while (queue.length) {
    const file = queue.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    if (!/\.(c|m)?js$/.test(file)) continue;
    const { found, computed: dyn } = specifiers(readFileSync(file, 'utf8'));
    const inPackage = packageRootOf(file);
    if (inPackage && dyn.length) computed.push(...dyn.map((d) => `${relative(root, file)}: ${d}`));
    for (const spec of found) {
      if (isBuiltin(spec) || HOST_PROVIDED.has(spec)) continue;
      if (spec.startsWith('.') || spec.startsWith('/')) {
        const f = resolveFile(join(dirname(file), spec));
        if (f) queue.push(f);
        else unresolved.push(`${relative(root, file)}: ${spec}`);
        continue;
      }
      const parts = spec.split('/');
      const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
      const subpath = parts.slice(spec.startsWith('@') ? 2 : 1).join('/');
      if (!inPackage) external.set(spec, [...(external.get(spec) ?? []), relative(root, file)]);
      const dir = findPackage(name, dirname(file), root);
      if (!dir) {
        unresolved.push(`${relative(root, file)}: ${spec}`);
        continue;
      }
      packages.add(dir);
      const files = packageEntries(dir, subpath);
      if (!files.length) unresolved.push(`${relative(root, file)}: ${spec} (no entry file)`);
      queue.push(...files);
    }
  }
  return { packages: [...packages].sort(), external, unresolved, computed, files: seen.size };
}

/** The declared (production) dependency closure of `names`, for comparison with what the walk found. */
export function declaredClosure(names, root) {
  const out = new Set();
  const visit = (name, fromDir) => {
    const dir = findPackage(name, fromDir, root);
    if (!dir || out.has(dir)) return;
    out.add(dir);
    const pkg = readJson(join(dir, 'package.json'));
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) visit(dep, dir);
  };
  for (const n of names) visit(n, root);
  return [...out].sort();
}
