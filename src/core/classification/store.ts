/**
 * Where the workspace keeps what the user teaches: examples collected from the editor
 * (`.vscode/onnx-assist/examples/NAME.jsonl`) and taught classifiers
 * (`.vscode/onnx-assist/classifiers/NAME.json`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { classifierNameProblem } from '../../protocol/classification';
import { writeUserFile } from './userFiles';

/** For an input box: what is wrong with a classifier name, or undefined. */
export function validName(name: string): string | undefined {
  const problem = classifierNameProblem(name);
  return problem ? `Use ${problem}.` : undefined;
}

export class TeachingStore {
  constructor(private readonly root: string) {}

  get classifiersDir(): string {
    return path.join(this.root, '.vscode', 'onnx-assist', 'classifiers');
  }

  get examplesDir(): string {
    return path.join(this.root, '.vscode', 'onnx-assist', 'examples');
  }

  classifierPath(name: string): string {
    return path.join(this.classifiersDir, `${name}.json`);
  }

  examplesPath(name: string): string {
    return path.join(this.examplesDir, `${name}.jsonl`);
  }

  private list(dir: string, ext: string): string[] {
    try {
      return fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(ext))
        .map((f) => f.slice(0, -ext.length))
        .sort();
    } catch {
      return [];
    }
  }

  classifiers(): string[] {
    return this.list(this.classifiersDir, '.json');
  }

  exampleSets(): string[] {
    return this.list(this.examplesDir, '.jsonl');
  }

  /** Appends one example; the set is a JSON Lines file the user may also edit by hand. */
  addExample(set: string, text: string, label: string): number {
    fs.mkdirSync(this.examplesDir, { recursive: true });
    fs.appendFileSync(this.examplesPath(set), `${JSON.stringify({ text, label })}\n`);
    return this.labelsOf(set).total;
  }

  /** Labels in a set with their counts (malformed lines are ignored here; teaching reports them). */
  labelsOf(set: string): { labels: Record<string, number>; total: number } {
    const labels: Record<string, number> = {};
    let total = 0;
    let text = '';
    try {
      text = fs.readFileSync(this.examplesPath(set), 'utf8');
    } catch {
      return { labels, total };
    }
    for (const line of text.split('\n')) {
      try {
        const v = JSON.parse(line) as { label?: unknown };
        if (typeof v.label === 'string') {
          labels[v.label] = (labels[v.label] ?? 0) + 1;
          total++;
        }
      } catch {
        // skipped
      }
    }
    return { labels, total };
  }

  saveClassifier(name: string, json: unknown): string {
    const file = this.classifierPath(name);
    writeUserFile(file, `${JSON.stringify(json, null, 1)}\n`, `teaching "${name}"`);
    return file;
  }
}
