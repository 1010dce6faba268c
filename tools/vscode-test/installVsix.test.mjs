// Install test: the path a user takes. The linux-x64 VSIX is built by the packaging script
// (tools/package/package.mjs), installed with code-server's `--install-extension` into a fresh
// extensions folder and profile, and the real VS Code server (no extensionDevelopmentPath) opens a
// workspace in Debian's Chromium. Typing must show ghost text from the shipped default model
// (models/code-lm), Tab must insert it, and the model and onnxruntime's native addon must come from
// the installed extension, not from this repository.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { acceptGhostText, launchBrowser, MOD, openWorkbench, quickOpen, root, SERVER_ENV, serverMain, startServer } from './server.mjs';

const TARGET = 'linux-x64';
const codeServer = join(root, '.cache/code-server/node_modules/code-server/out/node/entry.js');
const shots = join(root, 'test-results', 'install');
// Waits bound hangs on a busy 2-core CI machine; they measure nothing.
const EVENT_WAIT = 60_000;
const run = promisify(execFile);

/** Process ids under `pid` (children, grandchildren...), from /proc. */
function descendants(pid) {
  const parent = new Map();
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'.
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      parent.set(Number(p), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // a process that ended while we looked
    }
  }
  const out = [];
  const walk = (id) => {
    for (const [child, pp] of parent) {
      if (pp === id) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return out;
}

/** Files a process has mapped whose path mentions onnxruntime (the native addon and its library). */
function mappedOnnxruntime(pid) {
  try {
    return [...new Set(readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n').map((l) => l.split(/\s+/).slice(5).join(' ')).filter((f) => /onnxruntime/.test(f)))];
  } catch {
    return [];
  }
}

const supported = process.platform === 'linux' && process.arch === 'x64';

describe(`the ${TARGET} VSIX installed into VS Code`, { timeout: 900_000, skip: supported ? false : `installs the ${TARGET} VSIX; this machine is ${process.platform}-${process.arch}` }, () => {
  let out;
  let vsix;
  let state;
  let extensionsDir;
  let installed;
  let workspace;
  let server;
  let browser;
  let page;

  before(async () => {
    rmSync(shots, { recursive: true, force: true });
    mkdirSync(shots, { recursive: true });
    if (!existsSync(serverMain) || !existsSync(codeServer)) await run('bash', [join(root, 'tools/vscode-test/install.sh')], { maxBuffer: 1 << 24 });
    // Build the VSIX as `npm run package` does (one target), into a temporary folder.
    out = mkdtempSync(join(tmpdir(), 'onnx-assist-vsix-'));
    const built = await run(process.execPath, [join(root, 'tools/package/package.mjs'), '--target', TARGET, '--out', out], { cwd: root, maxBuffer: 1 << 24 });
    process.stdout.write(built.stdout.split('\n').filter((l) => l.startsWith('package:') || l.endsWith('.vsix') || / MB \(\d+ bytes/.test(l)).join('\n') + '\n');
    vsix = readdirSync(out).filter((f) => f.endsWith(`-${TARGET}-${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version}.vsix`)).map((f) => join(out, f))[0];
    assert.ok(vsix, `no ${TARGET} VSIX in ${out}`);

    // A fresh profile: nothing installed, nothing from this repository on any search path.
    state = mkdtempSync(join(tmpdir(), 'onnx-assist-install-'));
    extensionsDir = join(state, 'extensions');
    mkdirSync(extensionsDir, { recursive: true });
    workspace = mkdtempSync(join(tmpdir(), 'onnx-assist-install-ws-'));
    mkdirSync(join(workspace, '.vscode'));
    writeFileSync(join(workspace, 'sample.ts'), 'export interface Point {\n  x: number;\n  y: number;\n}\n\nexport function distance(a: Point, b: Point): number {\n  const dx = a.x - b.x;\n  const dy = a.y - b.y;\n  return Math.sqrt(dx * dx + dy * dy);\n}\n');
    // Only what a busy CI machine needs: decoding may take longer than the default 500 ms budget
    // there, which would cut a suggestion short. The model and every other setting are the defaults.
    writeFileSync(join(workspace, '.vscode', 'settings.json'), `${JSON.stringify({ 'onnxAssist.inline.timeLimitMs': 10000 }, null, 1)}\n`);
  });

  after(async () => {
    await browser?.close();
    if (server) writeFileSync(join(shots, 'server.log'), server.log());
    server?.stop();
    for (const d of [out, state, workspace]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('installs with --install-extension into a fresh extensions folder', async () => {
    const env = { ...process.env, ...SERVER_ENV, XDG_CONFIG_HOME: join(state, 'xdg'), XDG_DATA_HOME: join(state, 'xdg') };
    const cli = (...args) => run(process.execPath, [codeServer, '--extensions-dir', extensionsDir, '--user-data-dir', join(state, 'user'), ...args], { env, maxBuffer: 1 << 24 });
    const { stdout } = await cli('--install-extension', vsix);
    assert.match(stdout, /successfully installed/);
    const list = await cli('--list-extensions', '--show-versions');
    assert.match(list.stdout, /^onnx-assist\.onnx-assist@\d+\.\d+\.\d+/m);
    const dirs = readdirSync(extensionsDir).filter((d) => d.startsWith('onnx-assist.onnx-assist-'));
    assert.equal(dirs.length, 1, `one installed copy: ${dirs.join(', ')}`);
    installed = join(extensionsDir, dirs[0]);
    // What was unpacked is what the VSIX promised: this platform's addon only, the default models.
    const bin = join(installed, 'node_modules/onnxruntime-node/bin/napi-v6');
    assert.deepEqual(readdirSync(bin), ['linux']);
    assert.deepEqual(readdirSync(join(bin, 'linux')), ['x64']);
    assert.ok(existsSync(join(installed, 'models/code-lm/onnx/model.onnx')));
    assert.ok(!existsSync(join(installed, 'src')) && !existsSync(join(installed, 'node_modules/@huggingface/transformers')));
  });

  it('opens a workspace in the real VS Code server with the installed extension running', async () => {
    assert.ok(installed, 'installed');
    // The profile the VSIX was installed into, no settings beyond the offline defaults.
    server = await startServer({}, { state });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    // The plain workbench URL a user opens: a folder, no development payload.
    // The installed extension activated (onStartupFinished) once its status bar item shows.
    await openWorkbench(page, server.url(workspace));
    assert.match(await page.locator('[id$="onnxAssist.status"]').innerText(), /code-lm/);
  });

  it('typing shows ghost text from the shipped model, and Tab inserts it', async () => {
    assert.ok(page, 'workbench open');
    await quickOpen(page, 'sample.ts', EVENT_WAIT);
    await page.keyboard.press(`${MOD}+End`);
    await page.keyboard.type('export function midpoint(a: Point, b: Point): Point {\nconst dx = a.x - b.x;\nconst dy = ');
    const ghost = page.locator('.ghost-text-decoration, .ghost-text');
    await ghost.first().waitFor({ state: 'visible', timeout: 120_000 });
    const suggestion = (await ghost.allInnerTexts()).join('').trim();
    assert.ok(suggestion.length > 0, 'ghost text is not empty');
    await page.screenshot({ path: join(shots, 'installed-ghost-text.png') });
    const { changed, before, after } = await acceptGhostText(page, ghost, EVENT_WAIT);
    assert.ok(changed, 'Tab changed the document');
    assert.ok(after.replace(/\s/g, '').length > before.replace(/\s/g, '').length, 'accepting inserted the suggestion');
    await page.screenshot({ path: join(shots, 'installed-accepted.png') });
  });

  it('the model and onnxruntime ran from the installed extension, not from this repository', async () => {
    assert.ok(page, 'workbench open');
    // What a user sees: Show Host Status writes the loaded model's folder to the output channel.
    await page.keyboard.press('F1');
    await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
    await page.keyboard.type('ONNX Assist: Show Host Status');
    await page.waitForSelector('.quick-input-list .monaco-list-row[aria-label*="Show Host Status"]', { timeout: EVENT_WAIT });
    await page.keyboard.press('Enter');
    const modelDir = join(installed, 'models', 'code-lm');
    // (The output view wraps long lines, so the task and provider after the path may sit on the next row.)
    const line = page.locator('.part.panel .view-line', { hasText: `${modelDir}:` });
    await line.first().waitFor({ state: 'visible', timeout: EVENT_WAIT });
    await page.screenshot({ path: join(shots, 'installed-host-status.png') });

    // What the operating system sees: the extension host (a process under the server) has the
    // native addon mapped from the installed folder, and nothing of this repository's copy.
    const mapped = descendants(server.pid).flatMap(mappedOnnxruntime);
    assert.ok(mapped.some((f) => f.startsWith(`${installed}/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node`)), `addon mapped from the installed extension: ${mapped.join(', ') || 'none'}`);
    assert.ok(!mapped.some((f) => f.startsWith(join(root, 'node_modules'))), `nothing mapped from the repository: ${mapped.join(', ')}`);
    // And an extension host runs under the server, and no process was given an extension under
    // development (the addon check above is what ties the running code to the installed folder).
    const cmdlines = descendants(server.pid).flatMap((p) => {
      try {
        return [readFileSync(`/proc/${p}/cmdline`, 'utf8')];
      } catch {
        return [];
      }
    });
    assert.ok(cmdlines.some((c) => /extensionHost/.test(c)), 'an extension host process runs under the server');
    assert.ok(cmdlines.every((c) => !c.includes('extensionDevelopmentPath')), 'no extension under development');
  });
});
