// UI tests: a person's view of ONNX Assist in VS Code (code-server web workbench) driven through
// Debian's Chromium. Screenshots go to test-results/ui/.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { acceptGhostText, launchBrowser, MOD, openWorkbench, quickOpen, root, startServer } from './server.mjs';

const shots = join(root, 'test-results', 'ui');

// How long to wait for something the test caused to show up. Generous: CI runs on a busy
// 2-core machine; a wait bounds a hang, it measures nothing.
const EVENT_WAIT = 60_000;


/**
 * Merges settings into the workspace's settings.json, starts the VS Code server and a browser,
 * and opens the workspace with this repository as the extension under development.
 */
async function openDevWorkbench(workspace, extraSettings) {
  const settingsFile = join(workspace, '.vscode', 'settings.json');
  const settings = JSON.parse(readFileSync(settingsFile, 'utf8'));
  writeFileSync(settingsFile, JSON.stringify({ ...settings, ...extraSettings }, null, 1));
  const server = await startServer();
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await openWorkbench(page, server.url(workspace, [['extensionDevelopmentPath', server.remote(root)]]));
  return { server, browser, page };
}
describe('ONNX Assist in the VS Code UI', { timeout: 600_000 }, () => {
  let server;
  let browser;
  let page;
  let workspace;
  let hub;
  let cache;

  before(async () => {
    rmSync(shots, { recursive: true, force: true });
    mkdirSync(shots, { recursive: true });
    // Typing happens in a copy: VS Code may save the edits, and the fixture must stay as committed.
    workspace = mkdtempSync(join(tmpdir(), 'onnx-assist-ui-'));
    cpSync(join(root, 'test/vscode/workspace'), workspace, { recursive: true });
    // Labelled mails for the evaluation report, from the SpamAssassin test split (npm package).
    const { loadSpamAssassin } = createRequire(import.meta.url)(join(root, 'out/tools/eval/spamData.js'));
    const test = loadSpamAssassin(root).filter((m) => m.split === 'test');
    const sample = [...test.filter((m) => m.label === 'spam').slice(0, 40), ...test.filter((m) => m.label === 'ham').slice(0, 60)];
    writeFileSync(join(workspace, 'mails.jsonl'), sample.map((m) => JSON.stringify({ text: m.text, label: m.label })).join('\n') + '\n');
    // A Hub emulator (real HTTP on 127.0.0.1) for Download Model, slowed so the progress shows.
    const { HubEmulator } = createRequire(import.meta.url)(join(root, 'out/test/hub/emulator.js'));
    hub = new HubEmulator();
    hub.addRepo('onnx-assist/code-lm', join(root, 'models/code-lm'));
    hub.fault('model_quantized.onnx', { kind: 'slow', bytesPerSecond: 1_000_000 });
    await hub.start();
    cache = mkdtempSync(join(tmpdir(), 'onnx-assist-ui-cache-'));
    ({ server, browser, page } = await openDevWorkbench(workspace, { 'onnxAssist.hub.endpoint': hub.url, 'onnxAssist.hub.cacheDir': cache }));
  });

  after(async () => {
    await browser?.close();
    server?.stop();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
    await hub?.stop();
    if (cache) rmSync(cache, { recursive: true, force: true });
  });

  async function open(name) {
    await quickOpen(page, name, EVENT_WAIT);
  }

  const panel = () => page.frameLocator('iframe.webview.ready[src*="extensionId=onnx-assist.onnx-assist"]').frameLocator('iframe#active-frame');
  const statusBar = () => page.locator('[id$="onnxAssist.status"]');

  /** Runs a palette command by its title, as a person would (F1, type, Enter). */
  async function palette(title) {
    await page.keyboard.press('F1');
    await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
    await page.keyboard.type(`ONNX Assist: ${title}`);
    await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${title}"]`, { timeout: EVENT_WAIT });
    await page.keyboard.press('Enter');
  }

  /** Resolves when a toast's fade-in (and any other animation in it) has finished, for a clean screenshot. */
  const settled = (locator) => locator.evaluate((el) => Promise.all(el.getAnimations({ subtree: true }).map((a) => a.finished)));

  /** Edits the workspace's settings.json on disk, as a person editing it by hand would. */
  function setWorkspaceSetting(key, value) {
    const file = join(workspace, '.vscode', 'settings.json');
    const settings = JSON.parse(readFileSync(file, 'utf8'));
    if (value === undefined) delete settings[key];
    else settings[key] = value;
    writeFileSync(file, JSON.stringify(settings, null, 1));
  }

  it('shows the model and provider in the status bar', async () => {
    const text = await page.locator('[id$="onnxAssist.status"]').innerText();
    assert.match(text, /code-lm/);
  });

  it('typing in a .ts file shows ghost text from the model, and Tab accepts it', async () => {
    await open('sample.ts');
    await page.keyboard.press(`${MOD}+End`);
    // Mid-statement, where even the small default model has something to say (on an empty line of
    // a new body it may, sensibly, suggest nothing). VS Code auto-indents and closes the brace.
    await page.keyboard.type('export function midpoint(a: Point, b: Point): Point {\nconst dx = a.x - b.x;\nconst dy = ');
    const ghost = page.locator('.ghost-text-decoration, .ghost-text');
    await ghost.first().waitFor({ state: 'visible', timeout: 90_000 });
    const suggestion = (await ghost.allInnerTexts()).join('').trim();
    assert.ok(suggestion.length > 0, 'ghost text is not empty');
    await page.screenshot({ path: join(shots, 'inline-ghost-text.png') });
    const { changed, before, after } = await acceptGhostText(page, ghost, EVENT_WAIT);
    assert.ok(changed, 'Tab changed the document');
    assert.ok(after.replace(/\s/g, '').length > before.replace(/\s/g, '').length, 'accepting inserted the suggestion');
    await page.screenshot({ path: join(shots, 'inline-accepted.png') });
  });

  it('palette Classify Selection shows labels with scores', async () => {
    await open('notes.txt');
    await page.keyboard.press(`${MOD}+A`);
    await page.keyboard.press('F1');
    await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
    await page.keyboard.type('ONNX Assist: Classify Selection');
    await page.waitForSelector('.quick-input-list .monaco-list-row[aria-label*="Classify Selection"]', { timeout: EVENT_WAIT });
    await page.keyboard.press('Enter');
    const spamRow = page.locator('.quick-input-list .monaco-list-row', { hasText: 'spam' });
    await spamRow.first().waitFor({ state: 'visible', timeout: 60_000 });
    const rows = await page.locator('.quick-input-list .monaco-list-row').allInnerTexts();
    assert.ok(rows.some((r) => /ham/.test(r)) && rows.some((r) => /spam/.test(r)), rows.join(' | '));
    assert.ok(rows.every((r) => /%/.test(r)), 'every label has a score');
    await page.screenshot({ path: join(shots, 'palette-classify.png') });
    await page.keyboard.press('Escape');
  });

  it('the sidebar panel streams a generation with its stats', async () => {
    await page.click('.activitybar [aria-label="ONNX Assist"]');
    const frame = page.frameLocator('iframe.webview.ready[src*="extensionId=onnx-assist.onnx-assist"]').frameLocator('iframe#active-frame');
    await frame.locator('body[data-ready="true"]').waitFor({ timeout: 60_000 });
    await frame.locator('#prompt').fill('def fibonacci(n):\n    ');
    await frame.locator('#generate').click();
    await frame.locator('#stats').filter({ hasText: 'tokens/s' }).waitFor({ timeout: 60_000 });
    const out = await frame.locator('#output').innerText();
    assert.ok(out.trim().length > 0, 'the panel shows generated text');
    await page.screenshot({ path: join(shots, 'panel-generate.png') });
  });

  it('an out-of-range control shows its problem beside it and is not sent; fixed, generation works without a reload', async () => {
    const frame = panel();
    await frame.locator('body[data-ready="true"]').waitFor({ timeout: 60_000 });
    if ((await frame.locator('#controls').getAttribute('open')) === null) await frame.locator('#controls summary').click();
    const bad = [
      ['maxNewTokens', '0', 'Max new tokens must be from 1 to 32768.'],
      ['topP', '2', 'Top-p must be from 0 to 1.'],
      ['temperature', '-1', 'Temperature must be from 0 to 100.'],
    ];
    for (const [id, value, problem] of bad) {
      await frame.locator(`#${id}`).fill(value);
      await frame.locator(`#${id}-problem`).filter({ hasText: problem }).waitFor({ timeout: EVENT_WAIT });
    }
    await frame.locator('#generate').click();
    await frame.locator('#genError').filter({ hasText: 'Not sent' }).waitFor({ timeout: EVENT_WAIT });
    assert.equal(await frame.locator('#generate').isEnabled(), true, 'Generate stays usable');
    assert.equal(await frame.locator('#stopBtn').isEnabled(), false, 'nothing is running');
    await page.screenshot({ path: join(shots, 'panel-control-out-of-range.png') });
    for (const [id, value] of [['maxNewTokens', '12'], ['topP', '0.9'], ['temperature', '0']]) {
      await frame.locator(`#${id}`).fill(value);
      await frame.locator(`#${id}-problem:empty`).waitFor({ state: 'attached', timeout: EVENT_WAIT });
    }
    await frame.locator('#prompt').fill('def add(a, b):\n    ');
    await frame.locator('#generate').click();
    await frame.locator('#stats').filter({ hasText: 'tokens/s' }).waitFor({ timeout: 60_000 });
    assert.equal(await frame.locator('#genError').innerText(), '');
    await page.screenshot({ path: join(shots, 'panel-control-fixed-generates.png') });
  });

  it('a request the extension rejects is answered with its reason, and the panel stays usable', async () => {
    const frame = panel();
    // 210,000 characters: over what the panel's messages may carry, so the extension rejects it.
    await frame.locator('#prompt').fill('x'.repeat(210_000));
    await frame.locator('#generate').click();
    await frame.locator('#genError').filter({ hasText: 'characters long' }).waitFor({ timeout: 30_000 });
    assert.match(await frame.locator('#genError').innerText(), /the prompt is 210000 characters long; the panel takes at most 200000/);
    assert.equal(await frame.locator('#generate').isEnabled(), true, 'Generate is enabled again');
    await frame.locator('#prompt').fill('import os\n');
    await frame.locator('#generate').click();
    await frame.locator('#stats').filter({ hasText: 'tokens/s' }).waitFor({ timeout: 60_000 });
  });

  it('the model and provider line is one short line, without the CUDA install text', async () => {
    const line = await panel().locator('#modelLine').innerText();
    assert.match(line, /Model code-lm · classifier spam-classifier · cpu \(auto\)/);
    assert.doesNotMatch(line, /NuGet|reinstall|fallback/);
    const box = await panel().locator('#modelLine').evaluate((el) => ({ height: el.getBoundingClientRect().height, lineHeight: parseFloat(getComputedStyle(el).lineHeight) || 16 }));
    assert.ok(box.height < box.lineHeight * 1.6, `one line (height ${box.height})`);
  });

  it('zero-shot works out of the box on the shipped sentence encoder', async () => {
    const frame = panel();
    await frame.locator('#clsText').fill('The app crashes when I open a file');
    await frame.locator('#zsLabels').fill('bug, feature request');
    await frame.locator('#classify').click();
    await frame.locator('#labels .label-row', { hasText: 'feature request' }).waitFor({ timeout: 60_000 });
    const rows = await frame.locator('#labels .label-row').allInnerTexts();
    assert.equal(rows.length, 2, rows.join(' | '));
    assert.ok(rows.some((r) => /bug/.test(r)), rows.join(' | '));
    await page.screenshot({ path: join(shots, 'panel-zero-shot.png') });
  });

  const wrongZeroShot = 'is a classifier';

  it('zero-shot with a classifier set as the zero-shot model: the old result goes at once, the error shows where the result goes', async () => {
    const frame = panel();
    await frame.locator('#clsText').fill('Congratulations! You won a FREE cruise, click here now!');
    await frame.locator('#zsLabels').fill('');
    await frame.locator('#classify').click();
    await frame.locator('#labels .label-row').first().waitFor({ timeout: 60_000 });
    setWorkspaceSetting('onnxAssist.zeroShot.model', join(root, 'models', 'code-language'));
    await frame.locator('#clsText').fill('The app crashes when I open a file');
    await frame.locator('#zsLabels').fill('bug, feature request');
    const error = frame.locator('#clsError').filter({ hasText: wrongZeroShot });
    // The setting reaches the extension once VS Code has read the file: classify until it has.
    for (let i = 0; i < 20 && !(await error.isVisible()); i++) {
      await frame.locator('#classify').click();
      await error.waitFor({ timeout: 3_000 }).catch(() => undefined);
    }
    await error.waitFor({ timeout: 30_000 });
    assert.equal(await frame.locator('#labels .label-row').count(), 0, 'no label of the other text beside this one');
    assert.equal(await frame.locator('#error').innerText(), '', 'not in the footer');
    const inView = await error.evaluate((el) => {
      const r = el.getBoundingClientRect();
      return r.top >= 0 && r.bottom <= window.innerHeight;
    });
    assert.ok(inView, 'the error is in view, where the result goes');
    assert.equal(await frame.locator('#classify').isEnabled(), true);
    await page.screenshot({ path: join(shots, 'panel-zero-shot-wrong-model.png') });
    // The error offers the fix: a picker of zero-shot-capable models, or a download.
    await error.locator('button', { hasText: 'Select Zero-Shot Model…' }).click();
    await page.waitForSelector('.quick-input-widget .quick-input-title:has-text("Zero-shot model")', { timeout: EVENT_WAIT });
    const rows = await page.locator('.quick-input-list .monaco-list-row').allInnerTexts();
    assert.ok(rows.every((r) => !/spam-classifier|code-lm/.test(r)), rows.join(' | '));
    assert.ok(rows.some((r) => /sentence-encoder/.test(r)), rows.join(' | '));
    await page.screenshot({ path: join(shots, 'picker-zero-shot-model.png') });
    await page.keyboard.press('Escape');
  });

  it('palette Zero-Shot Classify checks the model before asking for labels, and offers the fixes', async () => {
    setWorkspaceSetting('onnxAssist.zeroShot.model', join(root, 'models', 'code-language'));
    try {
      await open('notes.txt');
      await page.keyboard.press(`${MOD}+A`);
      await palette('Zero-Shot Classify Selection');
      const toast = page.locator('.notification-toast', { hasText: wrongZeroShot });
      await toast.waitFor({ state: 'visible', timeout: 30_000 });
      assert.equal(await page.locator('.quick-input-widget .quick-input-title:has-text("Zero-shot labels")').count(), 0, 'no labels asked for');
      await settled(toast);
      const buttons = (await toast.locator('.monaco-button').allInnerTexts()).map((b) => b.trim());
      assert.deepEqual(buttons, ['Select Zero-Shot Model…', 'Download Model…', 'Open Output']);
      await page.screenshot({ path: join(shots, 'palette-zero-shot-wrong-model.png') });
      await toast.locator('.monaco-button', { hasText: 'Download Model…' }).click();
      await page.waitForSelector('.quick-input-list .monaco-list-row[aria-label*="nli-deberta-v3-xsmall"]', { timeout: EVENT_WAIT });
      await page.keyboard.press('Escape');
    } finally {
      setWorkspaceSetting('onnxAssist.zeroShot.model', undefined);
    }
  });

  it('Select Generation Model lists only language models, the current one first', async () => {
    await palette('Select Generation Model');
    await page.waitForSelector('.quick-input-widget .quick-input-title:has-text("Generation model")', { timeout: EVENT_WAIT });
    const rows = await page.locator('.quick-input-list .monaco-list-row').allInnerTexts();
    assert.match(rows[0], /code-lm/);
    assert.match(rows[0], /current/);
    assert.ok(rows.every((r) => !/code-language|spam-classifier/.test(r)), `no classifiers: ${rows.join(' | ')}`);
    await page.screenshot({ path: join(shots, 'picker-generation-model.png') });
    await page.keyboard.press('Escape');
  });

  it('Select Execution Provider offers only the providers this installation has here', async () => {
    await palette('Select Execution Provider');
    await page.waitForSelector('.quick-input-widget .quick-input-title:has-text("Execution provider")', { timeout: 60_000 });
    const labels = await page.locator('.quick-input-list .monaco-list-row .label-name').allInnerTexts();
    assert.ok(labels.includes('auto') && labels.includes('cpu'), labels.join(', '));
    if (process.platform !== 'win32') assert.ok(!labels.includes('dml'), `no DirectML on ${process.platform}: ${labels.join(', ')}`);
    const placeholder = await page.locator('.quick-input-widget input').getAttribute('placeholder');
    if (process.platform !== 'win32') assert.match(placeholder ?? '', /Not available on this machine: .*dml \(DirectML runs on Windows only/);
    await page.screenshot({ path: join(shots, 'picker-execution-provider.png') });
    await page.keyboard.press('Escape');
  });

  it('a provider set by hand that cannot run here: panel and status bar both show what runs, and why', async () => {
    if (process.platform === 'win32') return;
    setWorkspaceSetting('onnxAssist.executionProvider', 'dml');
    await statusBar().filter({ hasText: 'cpu (not dml)' }).waitFor({ timeout: 60_000 });
    await panel().locator('#modelLine').filter({ hasText: 'cpu, not dml: DirectML runs on Windows only' }).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(shots, 'provider-not-available.png') });
    setWorkspaceSetting('onnxAssist.executionProvider', undefined);
    await panel().locator('#modelLine').filter({ hasText: 'cpu (auto)' }).waitFor({ timeout: 60_000 });
    assert.doesNotMatch(await statusBar().innerText(), /not dml/);
  });

  it('Restart Inference Host says so when the new host is ready', async () => {
    await palette('Restart Inference Host');
    const ready = page.locator('.notification-toast', { hasText: 'inference host restarted and ready' });
    await ready.waitFor({ timeout: 60_000 });
    await page.locator('.notification-toast', { hasText: 'restarting the inference host' }).waitFor({ state: 'hidden', timeout: 30_000 });
    await settled(ready);
    await page.screenshot({ path: join(shots, 'restart-host-ready.png') });
  });

  it('Evaluate Classifier shows a report with charts in the panel', async () => {
    await open('mails.jsonl');
    await page.keyboard.press('F1');
    await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
    await page.keyboard.type('ONNX Assist: Evaluate Classifier');
    await page.waitForSelector('.quick-input-list .monaco-list-row[aria-label*="Evaluate Classifier"]', { timeout: EVENT_WAIT });
    await page.keyboard.press('Enter');
    // Classifier (the current one is first), then the text and label columns (guesses first).
    for (const hint of ['current classifier', 'text', 'label']) {
      await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${hint}"]`, { timeout: 30_000 });
      await page.keyboard.press('Enter');
      await page.waitForTimeout(300);
    }
    const frame = page.frameLocator('iframe.webview.ready[src*="extensionId=onnx-assist.onnx-assist"]').frameLocator('iframe#active-frame');
    await frame.locator('body[data-report="true"]').waitFor({ timeout: 120_000 });
    const summary = await frame.locator('#repSummary').innerText();
    assert.match(summary, /100 records · accuracy \d+\.\d% .* AUC/);
    assert.equal(await frame.locator('#repBars svg rect').count() >= 6, true, 'bars for precision, recall, F1 per class');
    assert.equal(await frame.locator('#repConfusion td').count(), 4, 'a 2x2 confusion heatmap');
    assert.equal(await frame.locator('#repRoc svg path.curve').count(), 1, 'an ROC curve');
    await frame.locator('#report').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, 'panel-evaluation-report.png') });
  });

  it('Download Model shows progress, then completions come from the downloaded model', async () => {
    await page.keyboard.press('F1');
    await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
    await page.keyboard.type('ONNX Assist: Download Model');
    await page.waitForSelector('.quick-input-list .monaco-list-row[aria-label*="Download Model"]', { timeout: EVENT_WAIT });
    await page.keyboard.press('Enter');
    await page.waitForSelector('.quick-input-list .monaco-list-row[aria-label*="Qwen2.5-Coder"]', { timeout: EVENT_WAIT });
    await page.screenshot({ path: join(shots, 'download-catalog.png') });
    await page.keyboard.type('Another repository');
    await page.waitForSelector('.quick-input-list .monaco-list-row[aria-label*="Another repository"]', { timeout: EVENT_WAIT });
    await page.keyboard.press('Enter');
    await page.waitForSelector('.quick-input-widget .quick-input-title:has-text("Hub repository")', { timeout: EVENT_WAIT });
    await page.keyboard.type('onnx-assist/code-lm');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.quick-input-list .monaco-list-row[aria-label*="q8"]', { timeout: EVENT_WAIT });
    await page.keyboard.press('Enter'); // the suggested variant comes first
    const toast = page.locator('.notification-toast', { hasText: 'Downloading onnx-assist/code-lm' });
    await toast.waitFor({ state: 'visible', timeout: 30_000 });
    // Wait until a few MB have arrived, so the shot shows bytes, speed and time left.
    await page.locator('.notification-toast', { hasText: /\b([3-9]|\d{2,})\.\d MB of [\d.]+ MB .* s left/ }).waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(shots, 'download-progress.png') });
    await page.waitForSelector('.quick-input-list .monaco-list-row[aria-label*="Use for completions"]', { timeout: 120_000 });
    await page.keyboard.press('Enter');
    await page.locator('[id$="onnxAssist.status"]', { hasText: 'code-lm (q8)' }).waitFor({ timeout: 30_000 });
    await open('sample.py');
    await page.keyboard.press(`${MOD}+End`);
    await page.keyboard.type('\n\ndef count_words(text):\n');
    const ghost = page.locator('.ghost-text-decoration, .ghost-text');
    await ghost.first().waitFor({ state: 'visible', timeout: 90_000 });
    assert.ok((await ghost.allInnerTexts()).join('').trim().length > 0);
    await page.screenshot({ path: join(shots, 'download-then-complete.png') });
  });

  it('Download Model offline offers Retry and the endpoint setting, not Restart Host', async () => {
    await hub.stop(); // the endpoint now refuses connections, as a machine offline does
    await palette('Download Model');
    await page.waitForSelector('.quick-input-list .monaco-list-row[aria-label*="Qwen2.5-Coder"]', { timeout: EVENT_WAIT });
    await page.keyboard.press('Enter');
    await page.waitForSelector('.quick-input-widget .quick-input-title:has-text("Variant")', { timeout: EVENT_WAIT });
    await page.keyboard.press('Enter');
    const toast = page.locator('.notification-toast', { hasText: 'Download model failed' });
    await toast.waitFor({ state: 'visible', timeout: 60_000 });
    const buttons = await toast.locator('.monaco-button').allInnerTexts();
    assert.deepEqual(buttons.map((b) => b.trim()), ['Retry', 'Open Endpoint Setting', 'Open Output']);
    await settled(toast);
    await page.screenshot({ path: join(shots, 'download-offline-actions.png') });
    await toast.locator('.monaco-button', { hasText: 'Open Endpoint Setting' }).click();
    // In this remote (web) window the Hub settings are the remote machine's: the Remote tab shows them.
    await page.locator('.settings-editor .setting-item-label', { hasText: 'Endpoint' }).first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(shots, 'download-offline-endpoint-setting.png') });
  });
});

describe('npm start', { timeout: 300_000 }, () => {
  it('serves the workbench offline: loading the page twice logs nothing (no vsda, no gallery, no telemetry)', async () => {
    const port = await new Promise((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = s.address().port;
        s.close(() => resolve(p));
      });
    });
    const child = spawn(process.execPath, [join(root, 'tools', 'start.mjs')], { env: { ...process.env, ONNX_ASSIST_WEB: '1', PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise((r) => child.once('exit', r));
    let browser2;
    try {
      const url = await new Promise((resolve, reject) => {
        const seen = () => {
          const m = out.match(/(http:\/\/127\.0\.0\.1:\d+\/\?folder=\S+)/);
          if (m) resolve(m[1]);
        };
        child.stdout.on('data', seen);
        child.once('exit', (code) => reject(new Error(`npm start exited (${code}): ${err}`)));
      });
      browser2 = await launchBrowser();
      const p = await browser2.newPage({ viewport: { width: 1200, height: 800 } });
      const requests = [];
      p.on('request', (r) => requests.push(r.url()));
      for (let load = 0; load < 2; load++) {
        if (load === 0) await p.goto(url);
        else await p.reload();
        await p.waitForSelector('.monaco-workbench', { timeout: 120_000 });
        const trust = p.locator('.monaco-dialog-box .monaco-button', { hasText: 'Yes, I trust' }).first();
        await trust.waitFor({ state: 'visible', timeout: 10_000 }).then(() => trust.click(), () => undefined);
        await p.waitForSelector('[id$="onnxAssist.status"]', { timeout: 120_000 });
        // The remote extension host is up (our extension answered); its gallery and telemetry calls would have started.
        // The shortcut can land before the workbench takes keys on a busy machine: press until the view shows.
        let shown = false;
        for (let attempt = 0; attempt < 6 && !shown; attempt++) {
          await p.keyboard.press('Control+Shift+X');
          shown = await p.waitForSelector('.extensions-viewlet', { timeout: 15_000 }).then(() => true, () => false);
        }
        assert.ok(shown, 'the Extensions view opened');
      }
      await p.screenshot({ path: join(shots, 'npm-start-extensions-view.png') });
      assert.equal(err.trim(), '', `the server printed:\n${err}`);
      assert.deepEqual(requests.filter((u) => !u.startsWith(`http://127.0.0.1:${port}`) && !u.startsWith('data:') && !u.startsWith('blob:') && !/^vscode-|^https:\/\/[^/]*vscode-cdn\.net\//.test(u)), [], 'nothing remote');
    } finally {
      await browser2?.close().catch(() => undefined);
      child.kill('SIGINT');
      await exited;
    }
  });
});

// The chat, against the scripted instruct test fixture (test/unit/scriptedChatModel.ts): its replies
// are a Markdown answer with a ```python block, or, for a question with <|forever|>, an endless one.
describe('Chat in the panel (scripted instruct fixture)', { timeout: 600_000 }, () => {
  let server;
  let browser;
  let page;
  let workspace;
  let models;
  let fixture;

  before(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'onnx-assist-ui-chat-'));
    cpSync(join(root, 'test/vscode/workspace'), workspace, { recursive: true });
    writeFileSync(join(workspace, 'target.py'), 'x = 1\n');
    models = mkdtempSync(join(tmpdir(), 'onnx-assist-ui-chat-model-'));
    const { makeScriptedChatModel, CODE_BLOCK, CODE_REPLY, FOREVER } = createRequire(import.meta.url)(join(root, 'out/test/unit/scriptedChatModel.js'));
    fixture = { dir: makeScriptedChatModel(join(models, 'scripted-chat')), small: makeScriptedChatModel(join(models, 'scripted-chat-small'), 256), CODE_BLOCK, CODE_REPLY, FOREVER };
    ({ server, browser, page } = await openDevWorkbench(workspace, { 'onnxAssist.generationModel': fixture.dir, 'onnxAssist.inline.enabled': false }));
  });

  after(async () => {
    await browser?.close();
    server?.stop();
    for (const d of [workspace, models]) if (d) rmSync(d, { recursive: true, force: true });
  });

  const frame = () => page.frameLocator('iframe.webview.ready[src*="extensionId=onnx-assist.onnx-assist"]').frameLocator('iframe#active-frame');
  const turns = () => frame().locator('#chatLog .turn');
  const settled = (locator) => locator.evaluate((el) => Promise.all(el.getAnimations({ subtree: true }).map((a) => a.finished)));

  async function openFile(name) {
    await quickOpen(page, name, EVENT_WAIT);
  }

  /** Shows the panel (the activity bar icon would hide it when it is already shown). */
  async function openPanel() {
    const icon = page.locator('.activitybar .action-item:has([aria-label="ONNX Assist"])');
    if ((await icon.getAttribute('class'))?.includes('checked') !== true) await page.click('.activitybar [aria-label="ONNX Assist"]');
    await frame().locator('body[data-ready="true"]').waitFor({ timeout: EVENT_WAIT });
  }

  /** Resolves when the active editor's visible text (Monaco renders spaces as no-break spaces) has every `has` and no `lacks`. */
  const editorShows = (has, lacks = []) =>
    page.waitForFunction(
      ([h, l]) => {
        const t = (document.querySelector('.editor-group-container.active .monaco-editor .view-lines')?.innerText ?? '').replace(/\u00a0/g, ' ');
        return h.every((x) => t.includes(x)) && !l.some((x) => t.includes(x));
      },
      [has, lacks],
      { timeout: EVENT_WAIT },
    );

  /** Clears the conversation (Clear is disabled when it is already empty). */
  async function clearChat() {
    if (await frame().locator('#chatClear').isEnabled()) await frame().locator('#chatClear').click();
    await frame().locator('#chatLog .turn').first().waitFor({ state: 'detached', timeout: EVENT_WAIT });
  }

  /** Sends a question and waits until its turn (the n-th, 1-based) has ended with `status`. */
  async function ask(text, n, status = 'done') {
    await frame().locator('#chatInput').fill(text);
    await frame().locator('#chatSend').click();
    await frame().locator(`#chatLog .turn:nth-child(${n})[data-status="${status}"]`).waitFor({ timeout: EVENT_WAIT });
  }

  it('chat: two turns, each rendered as Markdown with a highlighted ```python block and its actions', async () => {
    await openFile('sample.py');
    await openPanel();
    await frame().locator('#chatModel').filter({ hasText: 'scripted-chat' }).waitFor({ timeout: EVENT_WAIT });
    await ask('Write a function that adds two numbers.', 1);
    await ask('Again, please.', 2);
    assert.equal(await turns().count(), 2);
    for (let i = 0; i < 2; i++) {
      const reply = turns().nth(i).locator('.reply');
      assert.equal((await reply.locator('pre code.language-python').innerText()).trimEnd(), fixture.CODE_BLOCK.trimEnd());
      assert.ok((await reply.locator('pre code .hljs-keyword').count()) > 0, 'highlighted');
      assert.match(await reply.locator('p').first().innerText(), /Here is a function that adds two numbers/);
      assert.deepEqual((await turns().nth(i).locator('.code-actions button').allInnerTexts()).map((t) => t.trim()), ['Copy', 'Insert', 'Apply…']);
    }
    assert.equal(await frame().locator('#chatLog script, #chatLog style, #chatLog iframe').count(), 0);
    await page.screenshot({ path: join(shots, 'chat-two-turns.png') });
  });

  it('chat: Insert puts the code block at the cursor of the editor', async () => {
    await openFile('sample.py');
    await page.keyboard.press(`${MOD}+End`);
    await page.keyboard.press('Enter');
    await turns().last().locator('.code-actions button[data-action="insert"]').click();
    await editorShows(['return a + b']);
    await page.screenshot({ path: join(shots, 'chat-inserted.png') });
  });

  it('chat: Apply opens a diff against the selection and changes nothing until Accept', async () => {
    await openFile('target.py');
    await page.keyboard.press(`${MOD}+A`);
    await turns().last().locator('.code-actions button[data-action="apply"]').click();
    const diffTab = page.locator('.tab', { hasText: 'proposed change' });
    await diffTab.waitFor({ timeout: EVENT_WAIT });
    await page.locator('.monaco-diff-editor').first().waitFor({ timeout: EVENT_WAIT });
    assert.equal(readFileSync(join(workspace, 'target.py'), 'utf8'), 'x = 1\n', 'the file is unchanged while the diff shows');
    const toast = page.locator('.notification-toast', { hasText: 'Apply the proposed change to target.py (selection)?' });
    await toast.waitFor({ timeout: EVENT_WAIT });
    await settled(toast);
    await page.screenshot({ path: join(shots, 'chat-apply-diff.png') });
    await toast.locator('.monaco-button', { hasText: 'Accept' }).click();
    await diffTab.waitFor({ state: 'detached', timeout: EVENT_WAIT });
    await openFile('target.py');
    await editorShows(['def add(a, b):'], ['x = 1']);
  });

  it('chat: Stop in the middle of a reply marks the turn stopped, and the next question is answered', async () => {
    await openPanel();
    if ((await frame().locator('#controls').getAttribute('open')) === null) await frame().locator('#controls summary').click();
    await frame().locator('#maxNewTokens').fill('32000');
    await frame().locator('#chatInput').fill(`Count for me ${fixture.FOREVER}`);
    await frame().locator('#chatSend').click();
    // Stop once some of the endless reply has arrived: it cannot have ended by itself.
    await turns().nth(2).locator('.reply').filter({ hasText: 'tick tock tick' }).waitFor({ timeout: EVENT_WAIT });
    // A click event on the button itself: the stop it sends is what is under test, not the pointer.
    await frame().locator('#chatStop').dispatchEvent('click');
    await frame().locator('#chatLog .turn:nth-child(3)[data-status="stopped"]').waitFor({ timeout: EVENT_WAIT });
    assert.match(await turns().nth(2).locator('.turn-status').innerText(), /Stopped/);
    await page.screenshot({ path: join(shots, 'chat-stopped.png') });
    // The stopped turn stays in the conversation (and keeps this fixture endless): clear, then ask again.
    await frame().locator('#maxNewTokens').fill('64');
    await frame().locator('#chatClear').click();
    await frame().locator('#chatLog .turn').first().waitFor({ state: 'detached', timeout: EVENT_WAIT });
    await ask('Write add.', 1);
    assert.match(await turns().first().locator('.reply').innerText(), /def add\(a, b\):/);
  });

  it('chat: the conversation survives reloading the window', async () => {
    await page.reload();
    await page.waitForSelector('[id$="onnxAssist.status"]', { timeout: 120_000 });
    await openPanel();
    await frame().locator('#chatLog .turn[data-status="done"]').first().waitFor({ timeout: EVENT_WAIT });
    assert.equal(await turns().count(), 1);
    assert.match(await turns().first().locator('.user-text').innerText(), /Write add\./);
  });

  it('chat: an attached selection shows in the turn with its tokens; Regenerate and Edit last answer again', async () => {
    await openPanel();
    await clearChat();
    // Its tab is open since the Insert test (and restored by the reload): click it, as a person would.
    await page.click('.tab[aria-label*="sample.py"]');
    await page.waitForSelector('.tab.active[aria-label*="sample.py"]', { timeout: EVENT_WAIT });
    await page.click('.editor-group-container.active .monaco-editor .view-lines');
    await page.keyboard.press(`${MOD}+Home`);
    for (let i = 0; i < 3; i++) await page.keyboard.press('Shift+ArrowDown');
    await frame().locator('#attachSelection').click();
    const chip = frame().locator('#chatPending .chip', { hasText: 'Selection from sample.py lines 1-3' });
    await chip.filter({ hasText: /· \d+ tokens/ }).waitFor({ timeout: EVENT_WAIT });
    await ask('What does this do?', 1);
    assert.match(await turns().first().locator('.user .attachment').innerText(), /Selection from sample\.py lines 1-3 · \d+ tokens/);
    assert.equal(await frame().locator('#chatPending .chip').count(), 0, 'sent with the question, not kept for the next one');
    const first = await turns().first().getAttribute('data-turn');
    await frame().locator('#chatRegenerate').click();
    await frame().locator(`#chatLog .turn:nth-child(1)[data-status="done"]:not([data-turn="${first}"])`).waitFor({ timeout: EVENT_WAIT });
    assert.equal(await turns().count(), 1);
    assert.match(await turns().first().locator('.user .attachment').innerText(), /sample\.py/, 'the attachment stays');
    await frame().locator('#chatEdit').click();
    assert.equal(await frame().locator('#chatInput').inputValue(), 'What does this do?');
    await frame().locator('#chatInput').fill('What does this code do, briefly?');
    await frame().locator('#chatSend', { hasText: 'Resend' }).click();
    await turns().first().locator('.user-text', { hasText: 'What does this code do, briefly?' }).waitFor({ timeout: EVENT_WAIT });
    await frame().locator('#chatLog .turn:nth-child(1)[data-status="done"]').waitFor({ timeout: EVENT_WAIT });
    assert.equal(await turns().count(), 1);
    await page.screenshot({ path: join(shots, 'chat-attachment.png') });
  });

  it('chat: turns left out to fit a small window are named in the turn', async () => {
    const settingsFile = join(workspace, '.vscode', 'settings.json');
    writeFileSync(settingsFile, JSON.stringify({ ...JSON.parse(readFileSync(settingsFile, 'utf8')), 'onnxAssist.generationModel': fixture.small }, null, 1));
    await frame().locator('#chatModel').filter({ hasText: 'scripted-chat-small' }).waitFor({ timeout: EVENT_WAIT });
    await clearChat();
    // 256 tokens, 32 of them kept for the reply: the second question still fits whole, the third does not.
    if ((await frame().locator('#controls').getAttribute('open')) === null) await frame().locator('#controls summary').click();
    await frame().locator('#maxNewTokens').fill('32');
    const long = 'Explain the add function in detail, please. '.repeat(2);
    for (let n = 1; n <= 4; n++) await ask(`${n}. ${long}`, n);
    assert.equal(await turns().nth(1).locator('.note').count(), 0, 'the second question fitted with the first');
    assert.match(await turns().nth(3).locator('.note').innerText(), /^\d+ earlier turns? left out to fit 256 tokens$/);
    await turns().nth(3).scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, 'chat-turns-left-out.png') });
  });

  it('chat: the reply renderer lets no raw HTML through (markdown-it without HTML, then DOMPurify), in Chromium', async () => {
    // The panel's own module, bundled as the build does, on a blank page: hostile replies a fixture cannot write.
    const { build } = await import('esbuild');
    const bundle = await build({ entryPoints: [join(root, 'media/markdown.ts')], bundle: true, write: false, format: 'iife', globalName: 'panelMarkdown', platform: 'browser', target: 'es2022' });
    const p = await browser.newPage();
    try {
      await p.setContent('<!DOCTYPE html><html><body></body></html>');
      await p.addScriptTag({ content: bundle.outputFiles[0].text });
      const r = await p.evaluate(() => {
        const hostile = [
          '<script>window.pwned = 1</script>',
          '<img src=x onerror="window.pwned = 2">',
          '[click](javascript:window.pwned=3)',
          '<a href="#" onclick="window.pwned = 4">x</a>',
          '<iframe src="https://example.com"></iframe><style>body{display:none}</style>',
          '![tracker](https://example.com/x.png)',
          '```html\n<script>alert(1)</script>\n```',
        ].join('\n\n');
        const { html, blocks } = window.panelMarkdown.renderMarkdown(hostile);
        const box = document.createElement('div');
        box.innerHTML = html;
        document.body.append(box);
        const all = [...box.querySelectorAll('*')];
        return { tags: [...new Set(all.map((e) => e.tagName.toLowerCase()))], attrs: [...new Set(all.flatMap((e) => [...e.attributes].map((a) => a.name)))], hrefs: [...box.querySelectorAll('a')].map((a) => a.getAttribute('href')), blocks, text: box.textContent, pwned: window.pwned };
      });
      assert.equal(r.pwned, undefined);
      for (const tag of ['script', 'img', 'iframe', 'style']) assert.ok(!r.tags.includes(tag), `no <${tag}>: ${r.tags.join(', ')}`);
      // Markdown links stay (the image became one, images being off); never a javascript: one. The panel never follows them.
      assert.deepEqual(r.hrefs, ['https://example.com/x.png']);
      assert.ok(r.attrs.every((a) => !a.startsWith('on') && a !== 'style' && a !== 'src'), r.attrs.join(', '));
      assert.match(r.text, /<script>window\.pwned = 1<\/script>/, 'raw HTML shows as text');
      assert.deepEqual(r.blocks, [{ lang: 'html', code: '<script>alert(1)</script>\n' }], 'a code block keeps its exact text for Copy, Insert and Apply');
    } finally {
      await p.close();
    }
  });

  it('chat: with the shipped code model the panel says it has no chat template and offers the fixes', async () => {
    const settingsFile = join(workspace, '.vscode', 'settings.json');
    const settings = JSON.parse(readFileSync(settingsFile, 'utf8'));
    delete settings['onnxAssist.generationModel'];
    writeFileSync(settingsFile, JSON.stringify(settings, null, 1));
    const problem = frame().locator('#chatProblem');
    await problem.filter({ hasText: 'code-lm has no chat template' }).waitFor({ timeout: EVENT_WAIT });
    assert.deepEqual((await problem.locator('button').allInnerTexts()).map((t) => t.trim()), ['Download a chat model…', 'Choose a model folder…']);
    assert.equal(await frame().locator('#chatSend').isEnabled(), false);
    await page.screenshot({ path: join(shots, 'chat-no-template.png') });
    await problem.locator('button', { hasText: 'Download a chat model…' }).click();
    await page.waitForSelector('.quick-input-list .monaco-list-row[aria-label*="Qwen2.5-Coder"]', { timeout: EVENT_WAIT });
    await page.keyboard.press('Escape');
  });
});
