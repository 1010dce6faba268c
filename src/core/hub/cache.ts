/**
 * The download cache's layout: `{owner}--{name}/snapshots/{commit}/{dtype}/` holds one complete
 * model, `refs/{revision}@{dtype}` points at its commit and is written last, and a manifest in
 * each snapshot says what was downloaded. Reading, listing and deleting; pulling is download.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PulledModel, PullOptions } from './download';
import { repoFolder } from './names';

export const MANIFEST = 'onnx-assist-download.json';

export function refFile(o: Pick<PullOptions, 'cacheDir' | 'repo' | 'revision' | 'dtype'>): string {
  return path.join(o.cacheDir, repoFolder(o.repo), 'refs', `${encodeURIComponent(o.revision)}@${o.dtype}`);
}

/** One folder per commit and dtype, so a folder holds exactly one graph and loads unambiguously. */
export function snapshotDir(o: Pick<PullOptions, 'cacheDir' | 'repo' | 'dtype'>, commit: string): string {
  return path.join(o.cacheDir, repoFolder(o.repo), 'snapshots', commit, o.dtype);
}

/** The cached snapshot for repo@revision and dtype, if one was completed earlier. */
export function cachedSnapshot(o: Pick<PullOptions, 'cacheDir' | 'repo' | 'revision' | 'dtype'>): PulledModel | undefined {
  try {
    const commit = fs.readFileSync(refFile(o), 'utf8').trim();
    const dir = snapshotDir(o, commit);
    const m = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST), 'utf8')) as PulledModel;
    return { ...m, dir, offline: false };
  } catch {
    return undefined;
  }
}

export interface CachedModel {
  repo: string;
  revision: string;
  dtype: string;
  commit: string;
  dir: string;
  bytes: number;
}

/** Every completed snapshot in the cache. */
export function listCached(cacheDir: string): CachedModel[] {
  const out: CachedModel[] = [];
  let repos: string[] = [];
  try {
    repos = fs.readdirSync(cacheDir);
  } catch {
    return out;
  }
  for (const r of repos) {
    const refs = path.join(cacheDir, r, 'refs');
    let names: string[] = [];
    try {
      names = fs.readdirSync(refs).filter((n) => !n.endsWith('.tmp'));
    } catch {
      continue;
    }
    for (const n of names) {
      const commit = fs.readFileSync(path.join(refs, n), 'utf8').trim();
      const dtype = n.slice(n.lastIndexOf('@') + 1);
      const dir = path.join(cacheDir, r, 'snapshots', commit, dtype);
      try {
        const m = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST), 'utf8')) as PulledModel;
        out.push({ repo: m.repo, revision: m.revision, dtype, commit, dir, bytes: m.files.reduce((a, f) => a + f.size, 0) });
      } catch {
        // incomplete snapshot: not listed
      }
    }
  }
  return out.sort((a, b) => a.repo.localeCompare(b.repo));
}

/** Removes a repo from the cache (all its snapshots). */
export function deleteCached(cacheDir: string, repo: string): boolean {
  const dir = path.join(cacheDir, repoFolder(repo));
  if (!fs.existsSync(dir)) return false;
  fs.rmSync(dir, { recursive: true, force: true });
  return true;
}
