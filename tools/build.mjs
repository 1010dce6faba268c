// Bundles the extension, the inference worker and the CLI; type-checks and compiles tests with tsc.
// onnxruntime-node stays external: it is a native addon loaded from node_modules at run time.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  // Native addons and dev-only peers (which find their data files next to their own code) stay
  // external, and so does mailparser: 1.6 MB with its charset tables, needed only when a mail is
  // classified, so it is required from node_modules then instead of being parsed at activation.
  external: ['vscode', 'onnxruntime-node', '@huggingface/transformers', '@vscode/vscode-languagedetection', 'mailparser'],
  logLevel: 'warning',
};
await build({
  ...common,
  entryPoints: {
    extension: 'src/vscode/extension.ts',
    cli: 'src/cli/main.ts',
    'host/worker': 'src/host/worker.ts',
    'host/process': 'src/host/process.ts',
    bench: 'tools/bench/bench.ts',
    eval: 'tools/eval/main.ts',
  },
  outdir: 'dist',
});
// The panel's script: TypeScript typed against src/protocol, bundled for the webview.
// Minified: markdown-it, DOMPurify and highlight.js make it 480 KB as written, parsed on every panel open.
await build({ ...common, platform: 'browser', format: 'iife', target: 'es2022', minify: true, entryPoints: ['media/panel.ts'], outfile: 'media/panel.js' });
// Tests import the sources one module at a time; tsc also type-checks everything.
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', '.'], { stdio: 'inherit' });
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'media'], { stdio: 'inherit' });
