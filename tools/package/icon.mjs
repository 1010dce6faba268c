// Renders the Marketplace icon, media/icon.png (128x128), from the activity-bar icon media/icon.svg:
// the same graph in white on a rounded indigo tile, drawn by Debian's Chromium (headless, driven by
// playwright-core, as the UI tests drive it). Run `node tools/package/icon.mjs` after changing the SVG.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, root } from '../vscode-test/server.mjs';

const svg = readFileSync(join(root, 'media/icon.svg'), 'utf8').replace(/currentColor/g, '#ffffff').replace(/width="24" height="24"/, 'width="92" height="92"');
const html = `<!doctype html><html><head><style>
  html, body { margin: 0; background: transparent; }
  .tile { width: 128px; height: 128px; border-radius: 24px; display: flex; align-items: center; justify-content: center;
          background: linear-gradient(135deg, #4f46e5 0%, #0e7490 100%); }
</style></head><body><div class="tile">${svg}</div></body></html>`;

const browser = await launchBrowser();
try {
  const page = await browser.newPage({ viewport: { width: 128, height: 128 }, deviceScaleFactor: 1 });
  await page.setContent(html);
  await page.locator('.tile').screenshot({ path: join(root, 'media/icon.png'), omitBackground: true });
  console.log('icon: wrote media/icon.png (128x128)');
} finally {
  await browser.close();
}
