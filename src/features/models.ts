/** Which model folders the surfaces use: settings first, the embedded defaults otherwise. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Settings } from '../config';

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
      for (const dir of candidates.sort()) {
        const config = path.join(dir, 'config.json');
        if (!fs.existsSync(config)) continue;
        try {
          const c = JSON.parse(fs.readFileSync(config, 'utf8')) as { model_type?: string; architectures?: string[]; id2label?: object };
          const kind = c.id2label && !/CausalLM|LMHead/.test(String(c.architectures)) ? `classifier (${Object.keys(c.id2label).length} labels)` : 'language model';
          out.push({ label: path.basename(dir), dir, detail: `${c.model_type ?? 'unknown'} ${kind}` });
        } catch {
          out.push({ label: path.basename(dir), dir, detail: 'unreadable config.json' });
        }
      }
    }
    return out;
  }
}
