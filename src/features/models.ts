/** Which model folders the surfaces use: settings first, the embedded defaults otherwise. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Settings } from '../config';
import { defaultCacheDir } from '../hub/cacheDir';
import { listCached } from '../hub/download';

export interface ModelChoice {
  label: string;
  dir: string;
  detail: string;
}

export class ModelLocator {
  constructor(private readonly extensionRoot: string) {}

  get embeddedDir(): string {
    return path.join(this.extensionRoot, 'models');
  }

  generationModel(s: Settings): string {
    return s.generationModel || path.join(this.embeddedDir, 'code-lm');
  }

  classificationModel(s: Settings): string {
    return s.classificationModel || path.join(this.embeddedDir, 'spam-classifier');
  }

  /** Every folder with a config.json in models/ and the configured model folders, with its kind. */
  list(s: Settings): ModelChoice[] {
    const out: ModelChoice[] = [];
    for (const root of [this.embeddedDir, ...s.modelFolders]) {
      let entries: string[];
      try {
        entries = fs.readdirSync(root);
      } catch {
        continue;
      }
      const candidates = fs.existsSync(path.join(root, 'config.json')) ? [root] : entries.map((e) => path.join(root, e));
      out.push(...this.describe(candidates.sort()));
    }
    // Models downloaded from the Hub, named by repo and variant.
    const downloaded = listCached(s.hub.cacheDir || defaultCacheDir());
    const names = new Map(downloaded.map((d) => [d.dir, `${d.repo} (${d.dtype})`]));
    out.push(...this.describe(downloaded.map((d) => d.dir)).map((c) => ({ ...c, label: names.get(c.dir) ?? c.label })));
    return out;
  }

  private describe(dirs: string[]): ModelChoice[] {
    const out: ModelChoice[] = [];
    for (const dir of dirs) {
      const config = path.join(dir, 'config.json');
      if (!fs.existsSync(config)) continue;
      try {
        const c = JSON.parse(fs.readFileSync(config, 'utf8')) as { model_type?: string; architectures?: string[]; id2label?: object };
        const decoder = /CausalLM|LMHead/.test(String(c.architectures)) || /gpt|llama|qwen|phi|codegen|mistral|starcoder|bigcode/i.test(c.model_type ?? '');
        const kind = decoder ? 'language model' : c.id2label ? `classifier (${Object.keys(c.id2label).length} labels)` : 'encoder (embeddings)';
        out.push({ label: path.basename(dir), dir, detail: `${c.model_type ?? 'unknown'} ${kind}` });
      } catch {
        out.push({ label: path.basename(dir), dir, detail: 'unreadable config.json' });
      }
    }
    return out;
  }
}
