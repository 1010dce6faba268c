/**
 * The embedded default models the CLI falls back to when a command names no model: the sentence
 * encoder in models/ (beside the package) for zero-shot with --labels, teach and embed, so they
 * work on a fresh clone with no download. The extension falls back the same way (vscode/models/locations.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The folder in models/ that zero-shot by similarity, teaching and embeddings use by default. */
export const DEFAULT_ENCODER = 'sentence-encoder';

/** The package root (where models/ lives), from dist/ or out/src/cli/. */
function packageRoot(): string | undefined {
  for (let d = __dirname; d !== path.dirname(d); d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'package.json')) && fs.existsSync(path.join(d, 'models'))) return d;
  }
  return undefined;
}

/** models/sentence-encoder when it is there (a model folder with config.json), else undefined. */
export function defaultEncoder(): string | undefined {
  const root = packageRoot();
  const dir = root && path.join(root, 'models', DEFAULT_ENCODER);
  return dir && fs.existsSync(path.join(dir, 'config.json')) ? dir : undefined;
}
