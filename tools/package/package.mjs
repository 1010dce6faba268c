// npm run package: one VSIX per platform, each with only its own onnxruntime-node binaries and
// only the packages the shipped bundles load at run time (found by tools/package/deps.mjs).
//
//   node tools/package/package.mjs [--target linux-x64[,win32-x64...]] [--out DIR] [--keep]
//
// Each target is staged in a fresh folder under the system temp dir (outside the repository, so
// a package missing from the stage cannot be found in the repository's node_modules by Node's
// lookup), `vsce package --target` runs there, and the VSIX lands in dist/ (or --out). The
// working tree's node_modules is only read. Nothing is fetched: vsce's `npm list` reads the stage.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { dirname, join, relative, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { declaredClosure, runtimePackages } from './deps.mjs';
import { listZip } from './zip.mjs';

export const root = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

/** VS Code target -> onnxruntime-node's bin folder (napi-v6/OS/ARCH). */
export const TARGETS = {
  'linux-x64': 'linux/x64',
  'linux-arm64': 'linux/arm64',
  'win32-x64': 'win32/x64',
  'darwin-arm64': 'darwin/arm64',
  'darwin-x64': 'darwin/x64',
};

/** The bundles a VSIX ships: the extension, the inference host (worker and process mode), the CLI. */
const BUNDLES = ['dist/extension.js', 'dist/host/worker.js', 'dist/host/process.js', 'dist/cli.js'];
/** Built files a VSIX cannot work without (npm run build makes the first five; tools/package/icon.mjs the icon). */
const REQUIRED = [...BUNDLES, 'media/panel.js', 'media/panel.css', 'media/icon.svg', 'media/icon.png', 'models/code-lm/onnx/model.onnx', 'CHANGELOG.md', 'README.md'];
/** Top-level files and folders copied into a stage; .vscodeignore then drops what is not for users. */
const TOP = ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'LICENSE.md', 'LICENSE.txt', '.vscodeignore', 'media', 'models'];
/**
 * onnxruntime-node's optional CUDA / TensorRT provider libraries (present only where someone ran its
 * installer with cuda12): hundreds of MB, tied to one CUDA and cuDNN version on the user's machine,
 * so no VSIX carries them; the host reports `cuda (not installed)` with how to get them.
 */
const GPU_PROVIDER_LIB = /(^|\/)(lib)?onnxruntime_providers_(cuda|tensorrt|shared)\.(so|dll)$/;

/** Paths that must never be in a VSIX (development tools, sources, other platforms' binaries). */
export function forbidden(entry, target) {
  const p = entry.replace(/^extension\//, '');
  if (/^(src|test|tools|out|bench-models|test-results|\.cache|\.ci|\.git)\//.test(p)) return 'development folder';
  if (/\.map$/.test(p) || /^media\/.*\.ts$/.test(p)) return 'source or source map';
  if (/^node_modules\/(@huggingface\/transformers|code-server|playwright-core|@vscode\/(vsce|test-electron|vscode-languagedetection)|typescript|esbuild|eslint|mocha|@stdlib)\//.test(p)) return 'development dependency';
  if (/^node_modules\/(adm-zip|global-agent)\//.test(p)) return 'needed only by onnxruntime-node\'s install script';
  const bin = /^node_modules\/onnxruntime-node\/bin\/napi-v\d+\/([^/]+\/[^/]+)\//.exec(p);
  if (bin && bin[1] !== TARGETS[target]) return `another platform's onnxruntime binaries (${bin[1]})`;
  if (GPU_PROVIDER_LIB.test(p)) return 'CUDA/TensorRT provider library';
  if (/\.vsix$/.test(p)) return 'a VSIX inside a VSIX';
  return undefined;
}

/** Hard-links (same disk, no copy) or copies a file. */
function place(from, to) {
  mkdirSync(dirname(to), { recursive: true });
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

/** Copies a tree; `skip(relPath, isDir)` leaves parts out. */
function copyTree(from, to, skip = () => false, rel = '') {
  const st = statSync(from);
  if (!st.isDirectory()) {
    place(from, to);
    return;
  }
  for (const e of readdirSync(from, { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (skip(r, e.isDirectory())) continue;
    if (e.isDirectory()) copyTree(join(from, e.name), join(to, e.name), skip, r);
    else if (e.isFile()) place(join(from, e.name), join(to, e.name));
  }
}

const mb = (n) => `${(n / 1024 / 1024).toFixed(1)} MB`;
/** A path relative to the current folder when it is inside it, else absolute. */
const shown = (p) => (relative(process.cwd(), p).startsWith('..') ? p : relative(process.cwd(), p).split(sep).join('/'));

/** Which packages ship, from the bundles' own requires. Throws if a bundle names a module that is not installed. */
export function runtimeDependencies() {
  const walk = runtimePackages(BUNDLES.map((b) => join(root, b)), root);
  if (walk.unresolved.length) throw new Error(`package: modules the shipped code requires are not installed:\n  ${walk.unresolved.join('\n  ')}`);
  const names = [...new Set([...walk.external.keys()].map((s) => s.split('/').slice(0, s.startsWith('@') ? 2 : 1).join('/')))].sort();
  const declared = declaredClosure(names, root);
  const pruned = declared.filter((d) => !walk.packages.includes(d)).map((d) => relative(join(root, 'node_modules'), d));
  return { ...walk, names, pruned };
}

/** Writes a staged package's package.json without the dependencies the stage leaves out, so `npm list` (run by vsce) sees a whole tree. */
function trimManifest(file, keep) {
  const pkg = JSON.parse(readFileSync(file, 'utf8'));
  let changed = false;
  for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies']) {
    if (!pkg[field]) continue;
    for (const dep of Object.keys(pkg[field])) {
      if (!keep(dep)) {
        delete pkg[field][dep];
        changed = true;
      }
    }
  }
  if (changed) {
    rmSync(file); // a hard link: replace it, never write through to node_modules
    writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
  }
}

/**
 * npm cannot hold symbolic links, so onnxruntime-node's macOS folders carry libonnxruntime.1.dylib
 * twice: also as libonnxruntime.1.30.0.dylib, byte for byte (44 MB). The binding loads
 * `@rpath/libonnxruntime.1.dylib` (its only load command naming onnxruntime), so the versioned copy
 * is left out when it is identical.
 */
function dropDuplicateDylib(binRoot) {
  if (!existsSync(binRoot)) return;
  for (const napi of readdirSync(binRoot)) {
    for (const arch of existsSync(join(binRoot, napi, 'darwin')) ? readdirSync(join(binRoot, napi, 'darwin')) : []) {
      const d = join(binRoot, napi, 'darwin', arch);
      const main = join(d, 'libonnxruntime.1.dylib');
      if (!existsSync(main)) continue;
      for (const f of readdirSync(d).filter((n) => /^libonnxruntime\.\d+\.\d+\.\d+\.dylib$/.test(n))) {
        if (readFileSync(join(d, f)).equals(readFileSync(main))) rmSync(join(d, f));
      }
    }
  }
}

/** Stages one target; returns the stage folder. */
function stage(target, deps) {
  const dir = mkdtempSync(join(tmpdir(), `onnx-assist-package-${target}-`));
  for (const t of TOP) if (existsSync(join(root, t)) && t !== 'package.json') copyTree(join(root, t), join(dir, t));
  for (const b of BUNDLES) place(join(root, b), join(dir, b));
  // The extension's manifest: dependencies are what the bundles load; nothing else of the
  // development setup (scripts, devDependencies, the CLI's bin/ launcher, which .vscodeignore leaves
  // out) means anything inside an installed extension.
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  manifest.dependencies = Object.fromEntries(deps.names.map((n) => [n, manifest.dependencies?.[n] ?? '*']));
  delete manifest.devDependencies;
  delete manifest.scripts;
  delete manifest.bin;
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const ortBin = TARGETS[target];
  for (const pkgDir of deps.packages) {
    const rel = relative(root, pkgDir);
    copyTree(pkgDir, join(dir, rel), (r, isDir) => {
      if (isDir && r === 'node_modules') return true; // nested packages are staged on their own if the walk reached them
      if (rel === 'node_modules/onnxruntime-node') {
        const m = /^bin\/napi-v\d+\/([^/]+)(?:\/([^/]+))?/.exec(r);
        if (m && m[2] && `${m[1]}/${m[2]}` !== ortBin) return true;
        if (m && !m[2] && !ortBin.startsWith(`${m[1]}/`)) return true;
        if (GPU_PROVIDER_LIB.test(r)) return true;
      }
      return false;
    });
  }
  dropDuplicateDylib(join(dir, 'node_modules/onnxruntime-node/bin'));
  const staged = new Set(deps.packages.map((p) => relative(root, p)));
  for (const p of deps.packages) {
    const rel = relative(root, p);
    // A dependency counts as staged when Node would find it from this package: nested or hoisted.
    const keep = (dep) => {
      for (let d = rel; ; d = dirname(d)) {
        if (staged.has(join(d, 'node_modules', dep))) return true;
        if (d === '.' || d === dirname(d)) return staged.has(join('node_modules', dep));
      }
    };
    trimManifest(join(dir, rel, 'package.json'), keep);
  }
  return dir;
}

/** Loads the native addon and mailparser from a stage, as the shipped bundles do (only for this machine's platform). */
function smoke(dir) {
  const script = `
    const { createRequire } = require('node:module');
    const r = createRequire(${JSON.stringify(join(dir, 'dist/host/worker.js'))});
    const ort = r('onnxruntime-node');
    (async () => {
      const s = await ort.InferenceSession.create(${JSON.stringify(join(dir, 'models/code-lm/onnx/model.onnx'))});
      const { simpleParser } = await import(createRequire(${JSON.stringify(join(dir, 'dist/extension.js'))}).resolve('mailparser'));
      const mail = await simpleParser('Subject: hello\\r\\nContent-Type: text/html\\r\\n\\r\\n<p>body</p>');
      if (!s.inputNames.includes('input_ids') || mail.subject !== 'hello' || !/body/.test(mail.text)) throw new Error('unexpected result');
      console.log('smoke: onnxruntime-node ' + require(r.resolve('onnxruntime-node/package.json')).version + ' loaded code-lm; mailparser parsed a mail');
    })().catch((e) => { console.error(e); process.exit(1); });`;
  execFileSync(process.execPath, ['-e', script], { cwd: dir, stdio: 'inherit', env: { ...process.env, NODE_PATH: '' } });
}

async function main() {
  const { values } = parseArgs({ options: { target: { type: 'string' }, out: { type: 'string' }, keep: { type: 'boolean' } } });
  const targets = values.target ? values.target.split(',') : Object.keys(TARGETS);
  for (const t of targets) if (!TARGETS[t]) throw new Error(`package: unknown target "${t}". Should be one of: ${Object.keys(TARGETS).join(', ')}.`);
  const missing = REQUIRED.filter((f) => !existsSync(join(root, f)));
  if (missing.length) throw new Error(`package: missing ${missing.join(', ')} (run npm run build; media/icon.png comes from node tools/package/icon.mjs)`);
  const out = values.out ?? join(root, 'dist');
  mkdirSync(out, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const license = ['LICENSE', 'LICENSE.md', 'LICENSE.txt'].some((f) => existsSync(join(root, f)));

  const deps = runtimeDependencies();
  console.log(`package: the bundles require ${deps.names.join(', ')} from node_modules (${deps.files} files walked); shipping ${deps.packages.length} packages:`);
  console.log(`  ${deps.packages.map((p) => relative(join(root, 'node_modules'), p)).join(', ')}`);
  if (deps.pruned.length) console.log(`package: declared but never required by shipped code, left out: ${deps.pruned.join(', ')}`);
  for (const c of deps.computed) console.log(`package: computed require (its whole package ships): ${c}`);
  if (!license) console.log('package: warning: no LICENSE file; packaging with --skip-license');

  const results = [];
  for (const target of targets) {
    const dir = stage(target, deps);
    try {
      const [os, arch] = TARGETS[target].split('/');
      const ortBinDir = join(dir, 'node_modules/onnxruntime-node/bin');
      const hasOrt = existsSync(ortBinDir) && readdirSync(ortBinDir).some((v) => existsSync(join(dir, 'node_modules/onnxruntime-node/bin', v, os, arch)));
      if (!hasOrt) console.log(`package: warning: onnxruntime-node ${JSON.parse(readFileSync(join(root, 'node_modules/onnxruntime-node/package.json'), 'utf8')).version} has no ${os}/${arch} binaries: the ${target} VSIX installs and activates, but cannot run local models there`);
      if (`${process.platform}/${process.arch}` === TARGETS[target]) smoke(dir);
      const file = join(out, `${manifest.name}-${target}-${manifest.version}.vsix`);
      rmSync(file, { force: true });
      const args = [join(root, 'node_modules/@vscode/vsce/vsce'), 'package', '--target', target, '--out', file];
      if (!license) args.push('--skip-license');
      execFileSync(process.execPath, args, { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false' } });
      const entries = await listZip(file);
      const bad = entries.map((e) => [e.name, forbidden(e.name, target)]).filter(([, why]) => why);
      if (bad.length) throw new Error(`package: ${target} VSIX holds files it must not:\n  ${bad.map(([n, w]) => `${n} (${w})`).join('\n  ')}`);
      const names = new Set(entries.map((e) => e.name.toLowerCase())); // vsce writes readme.md, changelog.md
      const lacking = REQUIRED.filter((f) => !names.has(`extension/${f}`.toLowerCase()));
      if (hasOrt && !entries.some((e) => e.name.startsWith(`extension/node_modules/onnxruntime-node/bin/`) && e.name.endsWith(`/${os}/${arch}/onnxruntime_binding.node`))) lacking.push(`onnxruntime_binding.node for ${os}/${arch}`);
      if (lacking.length) throw new Error(`package: ${target} VSIX lacks ${lacking.join(', ')}`);
      const unpacked = entries.reduce((s, e) => s + e.size, 0);
      results.push({ target, file, size: statSync(file).size, unpacked, count: entries.length, hasOrt });
    } finally {
      if (!values.keep) rmSync(dir, { recursive: true, force: true });
      else console.log(`package: stage kept at ${dir}`);
    }
  }
  console.log('\npackage: built');
  for (const r of results) console.log(`  ${shown(r.file)}  ${mb(r.size)} (${r.size} bytes; ${r.count} files, ${mb(r.unpacked)} unpacked)${r.hasOrt ? '' : '  [no local inference: no onnxruntime binaries for this platform]'}`);
}

// Run as a script (not imported by a test): compared as file URLs, so Windows paths and spaces match.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
