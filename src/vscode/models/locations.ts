/** Which model folders the surfaces use: settings first, the embedded defaults otherwise. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Settings } from '../config';
import { defaultCacheDir } from '../../core/hub/cacheDir';
import { listCached } from '../../core/hub/download';
import { describeKind, fitsPurpose, modelKindOf, type KindInfo, type ModelPurpose } from '../../host/models/kind';

export interface ModelChoice {
  label: string;
  dir: string;
  detail: string;
  kind: KindInfo;
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

  /** Zero-shot with typed labels and the encoder of Teach Classifier: the setting, else the embedded sentence encoder. */
  zeroShotModel(s: Settings): string {
    return s.zeroShot.model || path.join(this.embeddedDir, 'sentence-encoder');
  }

  /**
   * Every model folder in models/, the configured model folders and the download cache, each
   * with its kind decided from the folder itself; with `purpose`, only the models that serve it.
   */
  list(s: Settings, purpose?: ModelPurpose): ModelChoice[] {
    const out: ModelChoice[] = [];
    for (const root of [this.embeddedDir, ...s.modelFolders]) {
      let entries: string[];
      try {
        entries = fs.readdirSync(root);
      } catch {
        continue;
      }
      const isModel = (d: string) => fs.existsSync(path.join(d, 'config.json')) || fs.existsSync(path.join(d, 'genai_config.json'));
      const candidates = isModel(root) ? [root] : entries.map((e) => path.join(root, e)).filter(isModel);
      out.push(...this.describe(candidates.sort()));
    }
    // Models downloaded from the Hub, named by repo and variant.
    const downloaded = listCached(s.hub.cacheDir || defaultCacheDir());
    const names = new Map(downloaded.map((d) => [d.dir, `${d.repo} (${d.dtype})`]));
    out.push(...this.describe(downloaded.map((d) => d.dir)).map((c) => ({ ...c, label: names.get(c.dir) ?? c.label })));
    return purpose ? out.filter((c) => fitsPurpose(c.kind.kind, purpose)) : out;
  }

  private describe(dirs: string[]): ModelChoice[] {
    return dirs.map((dir) => {
      const kind = modelKindOf(dir);
      return { label: path.basename(dir), dir, kind, detail: `${kind.modelType ? `${kind.modelType}: ` : ''}${describeKind(kind)}` };
    });
  }
}

/** A model folder's name for people: "name (dtype)" for downloads (the cache's snapshots/{commit}/{dtype} layout), else the folder name. */
export function modelDisplayName(dir: string): string {
  const m = /([^/\\]+)--([^/\\]+)[/\\]snapshots[/\\][0-9a-f]{7,64}[/\\](\w+)[/\\]?$/.exec(dir);
  if (m) return `${m[2]} (${m[3]})`;
  return path.basename(dir.replace(/[/\\]+$/, ''), '.json');
}
