// UI tests: a person's view of ONNX Assist in VS Code (code-server web workbench) driven through
// Debian's Chromium. Screenshots go to test-results/ui/.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, root, startServer } from './server.mjs';

const shots = join(root, 'test-results', 'ui');
const MOD = process.platform === 'darwin' ? 'Meta' : 'Control';

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
    const { loadSpamAssassin } = createRequire(import.meta.url)(join(root, 'out/src/eval/spamData.js'));
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
    const settingsFile = join(workspace, '.vscode', 'settings.json');
    const settings = JSON.parse(readFileSync(settingsFile, 'utf8'));
    writeFileSync(settingsFile, JSON.stringify({ ...settings, 'onnxAssist.hub.endpoint': hub.url, 'onnxAssist.hub.cacheDir': cache }, null, 1));
    server = await startServer();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(server.url(workspace, [['extensionDevelopmentPath', server.remote(root)]]));
    await page.waitForSelector('.monaco-workbench', { timeout: 120_000 });
    // A fresh profile asks whether to trust the folder: answer as a user would.
    const trust = page.locator('.monaco-dialog-box .monaco-button', { hasText: 'Yes, I trust' }).first();
    await trust.waitFor({ state: 'visible', timeout: 20_000 }).then(() => trust.click(), () => undefined);
    // The extension is up once its status bar item shows.
    await page.waitForSelector('[id$="onnxAssist.status"]', { timeout: 120_000 });
  });

  after(async () => {
    await browser?.close();
    server?.stop();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
    await hub?.stop();
    if (cache) rmSync(cache, { recursive: true, force: true });
  });

  async function open(name) {
    await page.keyboard.press(`${MOD}+P`);
    await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
    await page.keyboard.type(name);
    await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${name}"]`, { timeout: 20_000 });
    await page.keyboard.press('Enter');
    await page.waitForSelector(`.tab.active[aria-label*="${name}"]`, { timeout: 20_000 });
    await page.click('.editor-instance .view-lines');
  }

  const editorText = () => page.locator('.editor-instance .view-lines').innerText();

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
    const before = await editorText();
    await page.keyboard.press('Tab');
    await page.waitForFunction((b) => document.querySelector('.editor-instance .view-lines').innerText !== b, before, { timeout: 10_000 });
    const after = await editorText();
    assert.ok(after.replace(/\s/g, '').length > before.replace(/\s/g, '').length, 'accepting inserted the suggestion');
    await page.screenshot({ path: join(shots, 'inline-accepted.png') });
  });

  it('palette Classify Selection shows labels with scores', async () => {
    await open('notes.txt');
    await page.keyboard.press(`${MOD}+A`);
    await page.keyboard.press('F1');
    await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
    await page.keyboard.type('ONNX Assist: Classify Selection');
    await page.waitForSelector('.quick-input-list .monaco-list-row[aria-label*="Classify Selection"]', { timeout: 20_000 });
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
    const frame = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
    await frame.locator('body[data-ready="true"]').waitFor({ timeout: 60_000 });
    await frame.locator('#prompt').fill('def fibonacci(n):\n    ');
    await frame.locator('#generate').click();
    await frame.locator('#stats').filter({ hasText: 'tokens/s' }).waitFor({ timeout: 60_000 });
    const out = await frame.locator('#output').innerText();
    assert.ok(out.trim().length > 0, 'the panel shows generated text');
    await page.screenshot({ path: join(shots, 'panel-generate.png') });
  });

  it('Evaluate Classifier shows a report with charts in the panel', async () => {
    await open('mails.jsonl');
    await page.keyboard.press('F1');
    await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
    await page.keyboard.type('ONNX Assist: Evaluate Classifier');
    await page.waitForSelector('.quick-input-list .monaco-list-row[aria-label*="Evaluate Classifier"]', { timeout: 20_000 });
    await page.keyboard.press('Enter');
    // Classifier (the current one is first), then the text and label columns (guesses first).
    for (const hint of ['current classifier', 'text', 'label']) {
      await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${hint}"]`, { timeout: 30_000 });
      await page.keyboard.press('Enter');
      await page.waitForTimeout(300);
    }
    const frame = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
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
    await page.waitForSelector('.quick-input-list .monaco-list-row[aria-label*="Download Model"]', { timeout: 20_000 });
    await page.keyboard.press('Enter');
    await page.waitForSelector('.quick-input-list .monaco-list-row[aria-label*="Qwen2.5-Coder"]', { timeout: 20_000 });
    await page.screenshot({ path: join(shots, 'download-catalog.png') });
    await page.keyboard.type('Another repository');
    await page.waitForSelector('.quick-input-list .monaco-list-row[aria-label*="Another repository"]', { timeout: 20_000 });
    await page.keyboard.press('Enter');
    await page.waitForSelector('.quick-input-widget .quick-input-title:has-text("Hub repository")', { timeout: 20_000 });
    await page.keyboard.type('onnx-assist/code-lm');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.quick-input-list .monaco-list-row[aria-label*="q8"]', { timeout: 20_000 });
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
});
