/**
 * Pulling a model from a Hugging Face Hub endpoint (or a mirror) into the local cache without
 * ever leaving a broken model behind:
 * - the revision is resolved to a commit (`/api/models/{repo}/revision/{rev}`) and files come
 *   from `/{repo}/resolve/{commit}/{file}`, following the redirect to the CDN by hand so the
 *   `X-Linked-Etag` (sha256 of LFS files) and `X-Linked-Size` headers are read, and the token is
 *   never sent to another host;
 * - each file is written to `NAME.incomplete`, resumed with `Range` (a server that answers 200
 *   instead of 206 restarts the file), verified (size; sha256 for LFS files) and renamed;
 * - free disk space is checked first; ENOSPC stops at once and removes the temporary file;
 * - a lock file (core/processLock.ts) lets two windows pull the same model into one correct copy;
 * - the refs/{revision} pointer is written last, so a snapshot is used only once complete (the
 *   cache layout is cache.ts).
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { tryLock } from '../processLock';
import { HubError, repoFolder, safeRelativePath, type Dtype, type RepoRef } from './names';
import { cachedSnapshot, MANIFEST, refFile, snapshotDir } from './cache';
import { selectFiles } from './select';

export { cachedSnapshot, deleteCached, listCached, type CachedModel } from './cache';

export interface PullProgress {
  file: string;
  /** Bytes present across all files (including ones already cached or resumed). */
  bytes: number;
  totalBytes: number;
  bytesPerSecond: number;
  secondsLeft: number | undefined;
}

export interface PullOptions extends RepoRef {
  endpoint: string;
  cacheDir: string;
  dtype: Dtype;
  /** For gated or private repositories; sent only to the endpoint's own host. */
  token?: string;
  signal?: AbortSignal;
  onProgress?: (p: PullProgress) => void;
  /** Attempts per file when a connection drops (each resumes where the last stopped). */
  attempts?: number;
  /** For tests: pretend this much space is free. */
  freeBytes?: () => number;
}

export interface PulledModel {
  repo: string;
  revision: string;
  commit: string;
  dir: string;
  files: { name: string; size: number; sha256?: string }[];
  /** True when the Hub could not be reached and the cached snapshot was used. */
  offline: boolean;
}

export { MANIFEST } from './cache';

interface RemoteFile {
  name: string;
  size: number;
  /** LFS files: the content's sha256 (X-Linked-Etag). */
  sha256?: string;
  /** Small (git) files: the git blob id from ETag, sha1 of "blob {size}\0" + content. */
  gitSha1?: string;
  url: string;
}

function authHeaders(url: string, endpoint: string, token?: string): Record<string, string> {
  // The token goes to the Hub endpoint only, never to a CDN it redirects to.
  return token && new URL(url).host === new URL(endpoint).host ? { authorization: `Bearer ${token}` } : {};
}

async function hubFetch(url: string, o: PullOptions, init: RequestInit = {}): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, redirect: 'manual', signal: o.signal, headers: { 'user-agent': 'onnx-assist', ...authHeaders(url, o.endpoint, o.token), ...(init.headers as Record<string, string>) } });
  } catch (e) {
    if (o.signal?.aborted) throw new HubError('Download cancelled.', 'CANCELLED');
    throw new HubError(`Could not reach ${new URL(url).host}: ${(e as Error).message}${(e as { cause?: Error }).cause ? ` (${(e as { cause: Error }).cause.message})` : ''}`, 'NETWORK');
  }
  if (res.status === 401 || res.status === 403) {
    await res.body?.cancel();
    throw new HubError(
      o.token
        ? `${o.repo}: the Hub refused the token (HTTP ${res.status}). Check that it has read access and that you accepted the model's terms.`
        : `${o.repo} needs a Hugging Face token (HTTP ${res.status}: gated or private). Set one with "ONNX Assist: Set Hub Token".`,
      'UNAUTHORIZED',
    );
  }
  if (res.status === 404) {
    await res.body?.cancel();
    throw new HubError(`${o.repo}@${o.revision}: not found on ${new URL(o.endpoint).host} (${new URL(url).pathname}).`, 'NOT_FOUND');
  }
  return res;
}

/** Size, sha256 (LFS files) and final URL of one file, following one redirect to the CDN. */
async function describe(o: PullOptions, commit: string, name: string): Promise<RemoteFile> {
  const url = `${o.endpoint}/${o.repo}/resolve/${commit}/${name.split('/').map(encodeURIComponent).join('/')}`;
  let res = await hubFetch(url, o, { method: 'HEAD' });
  const linkedEtag = res.headers.get('x-linked-etag')?.replace(/"/g, '');
  const linkedSize = Number(res.headers.get('x-linked-size') ?? NaN);
  let finalUrl = url;
  if (res.status >= 300 && res.status < 400) {
    const location = res.headers.get('location');
    if (!location) throw new HubError(`${name}: redirect without a location`, 'SERVER');
    finalUrl = new URL(location, url).toString();
    if (!Number.isFinite(linkedSize)) res = await hubFetch(finalUrl, o, { method: 'HEAD' });
  }
  if (!Number.isFinite(linkedSize) && !res.ok) throw new HubError(`${name}: HTTP ${res.status} from ${new URL(finalUrl).host}`, 'SERVER');
  const size = Number.isFinite(linkedSize) ? linkedSize : Number(res.headers.get('content-length') ?? NaN);
  if (!Number.isFinite(size)) throw new HubError(`${name}: the server did not say how big it is.`, 'SERVER');
  const sha256 = linkedEtag && /^[0-9a-f]{64}$/.test(linkedEtag) ? linkedEtag : undefined;
  const etag = res.headers.get('etag')?.replace(/^W\//, '').replace(/"/g, '');
  const gitSha1 = !sha256 && etag && /^[0-9a-f]{40}$/.test(etag) ? etag : undefined;
  return { name, size, sha256, gitSha1, url: finalUrl };
}

async function hashOf(file: string, algorithm: 'sha256' | 'sha1' = 'sha256', prefix?: string): Promise<string> {
  const h = createHash(algorithm);
  if (prefix !== undefined) h.update(prefix);
  for await (const chunk of fs.createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One writer per snapshot across processes: a second puller waits; a lock whose owner died is taken over. */
async function withLock<T>(lockFile: string, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
  for (;;) {
    const lock = tryLock(lockFile, 'a download');
    if (lock.acquired) {
      try {
        return await fn();
      } finally {
        lock.release();
      }
    }
    if (signal?.aborted) throw new HubError('Download cancelled.', 'CANCELLED');
    await sleep(200);
  }
}

class Meter {
  private readonly started = Date.now();
  private startBytes: number | undefined;
  constructor(
    private readonly total: number,
    private readonly report?: (p: PullProgress) => void,
  ) {}
  private last = 0;
  update(file: string, bytes: number, force = false): void {
    this.startBytes ??= bytes;
    const now = Date.now();
    if (!this.report || (!force && now - this.last < 100)) return;
    this.last = now;
    const secs = (now - this.started) / 1000;
    const rate = secs > 0 ? (bytes - this.startBytes) / secs : 0;
    this.report({ file, bytes, totalBytes: this.total, bytesPerSecond: rate, secondsLeft: rate > 0 ? (this.total - bytes) / rate : undefined });
  }
}

/** Downloads one file to its final name through NAME.incomplete, resuming and verifying. */
/** Downloads one file to `target`; `progress` counts it on top of the `doneBefore` bytes of earlier files. */
async function fetchFile(o: PullOptions, f: RemoteFile, target: string, progress: { meter: Meter; doneBefore: number }): Promise<void> {
  const { meter, doneBefore } = progress;
  const temp = `${target}.incomplete`;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const attempts = o.attempts ?? 4;
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < attempts; attempt++) {
    let have = fs.existsSync(temp) ? fs.statSync(temp).size : 0;
    if (have > f.size) {
      fs.rmSync(temp);
      have = 0;
    }
    if (have < f.size) {
      const res = await hubFetch(f.url, o, { headers: have > 0 ? { range: `bytes=${have}-` } : {} });
      if (res.status !== 200 && res.status !== 206) {
        await res.body?.cancel();
        throw new HubError(`${f.name}: HTTP ${res.status} from ${new URL(f.url).host}`, 'SERVER');
      }
      // 200 to a Range request: the server sent the whole file, so start over rather than append.
      if (res.status === 200) have = 0;
      const out = fs.createWriteStream(temp, { flags: have > 0 ? 'a' : 'w' });
      let writeError: NodeJS.ErrnoException | undefined;
      out.on('error', (e) => (writeError = e));
      let written = have;
      try {
        const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
        for await (const chunk of body) {
          const buf = chunk as Buffer;
          if (writeError) throw writeError;
          if (!out.write(buf)) await once(out, 'drain'); // rejects on a write error (ENOSPC)
          written += buf.length;
          meter.update(f.name, doneBefore + written);
        }
        await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
      } catch (e) {
        // Keep what arrived (flushed, for the next Range request) unless the disk refused it.
        await new Promise<void>((r) => (out.destroyed ? r() : out.end(() => r())));
        const err = (writeError ?? e) as NodeJS.ErrnoException;
        if (err.code === 'ENOSPC') {
          fs.rmSync(temp, { force: true });
          throw new HubError(`The disk is full while writing ${f.name}; the partial file was removed and the cached model (if any) is unchanged.`, 'NO_SPACE');
        }
        if (o.signal?.aborted) throw new HubError(`Download cancelled; ${f.name} will resume where it stopped.`, 'CANCELLED');
        lastError = err;
        continue; // connection dropped: resume with Range
      }
    }
    const size = fs.statSync(temp).size;
    if (size !== f.size) {
      lastError = new Error(`${f.name}: got ${size} of ${f.size} bytes`);
      if (size > f.size) fs.rmSync(temp);
      continue;
    }
    if (f.sha256) {
      const actual = await hashOf(temp);
      if (actual !== f.sha256) {
        fs.rmSync(temp, { force: true });
        throw new HubError(`${f.name} failed verification: sha256 ${actual.slice(0, 12)}… but the Hub says ${f.sha256.slice(0, 12)}…. The damaged file was deleted; try again.`, 'MISMATCH');
      }
    }
    if (f.gitSha1) {
      const actual = await hashOf(temp, 'sha1', `blob ${size}\0`);
      if (actual !== f.gitSha1) {
        fs.rmSync(temp, { force: true });
        throw new HubError(`${f.name} failed verification: git blob id ${actual.slice(0, 12)}… but the Hub says ${f.gitSha1.slice(0, 12)}…. The damaged file was deleted; try again.`, 'MISMATCH');
      }
    }
    fs.renameSync(temp, target);
    return;
  }
  throw new HubError(`${f.name}: the connection kept dropping (${lastError?.message ?? 'unknown'}). What arrived is kept; pulling again resumes it.`, 'NETWORK');
}

/** refs/{revision}@{dtype} holds the commit of a completed snapshot. */
export async function pullModel(o: PullOptions): Promise<PulledModel> {
  const base = o.endpoint.replace(/\/+$/, '');
  const opts = { ...o, endpoint: base };
  let info: { sha?: unknown; siblings?: { rfilename?: unknown }[] };
  try {
    const res = await hubFetch(`${base}/api/models/${o.repo}/revision/${encodeURIComponent(o.revision)}`, opts);
    if (!res.ok) throw new HubError(`${o.repo}: HTTP ${res.status} from the Hub API`, 'SERVER');
    info = (await res.json()) as typeof info;
  } catch (e) {
    const cached = e instanceof HubError && e.code === 'NETWORK' ? cachedSnapshot(o) : undefined;
    if (cached) return { ...cached, offline: true };
    throw e;
  }
  const commit = typeof info.sha === 'string' && /^[0-9a-f]{7,64}$/.test(info.sha) ? info.sha : undefined;
  if (!commit) throw new HubError(`${o.repo}: the Hub API gave no commit id.`, 'SERVER');
  const siblings = (info.siblings ?? []).map((s) => s.rfilename).filter((s): s is string => typeof s === 'string');
  const dir = snapshotDir(o, commit);
  let genaiGraph: string | undefined;
  if (!siblings.includes('config.json') && siblings.includes('genai_config.json')) {
    const g = await describe(opts, commit, 'genai_config.json');
    await fetchFile(opts, g, path.join(dir, 'genai_config.json'), { meter: new Meter(g.size), doneBefore: 0 });
    const cfg = JSON.parse(fs.readFileSync(path.join(dir, 'genai_config.json'), 'utf8')) as { model?: { decoder?: { filename?: string } } };
    genaiGraph = cfg.model?.decoder?.filename ? safeRelativePath(cfg.model.decoder.filename) : undefined;
  }
  const { files } = selectFiles(siblings, o.dtype, genaiGraph);
  return withLock(path.join(o.cacheDir, repoFolder(o.repo), '.locks', `${commit}-${o.dtype}.lock`), o.signal, async () => {
    const remote: RemoteFile[] = [];
    for (const name of files) remote.push(await describe(opts, commit, name));
    const total = remote.reduce((a, f) => a + f.size, 0);
    const present = (f: RemoteFile) => {
      const p = path.join(dir, f.name);
      return fs.existsSync(p) && fs.statSync(p).size === f.size;
    };
    const needed = remote.filter((f) => !present(f)).reduce((a, f) => a + f.size - (fs.existsSync(path.join(dir, `${f.name}.incomplete`)) ? fs.statSync(path.join(dir, `${f.name}.incomplete`)).size : 0), 0);
    fs.mkdirSync(dir, { recursive: true });
    const free = o.freeBytes ? o.freeBytes() : (() => {
      const s = fs.statfsSync(dir);
      return s.bavail * s.bsize;
    })();
    if (needed > free) {
      throw new HubError(`${o.repo} needs ${(needed / 1e6).toFixed(0)} MB more but only ${(free / 1e6).toFixed(0)} MB are free on the disk holding ${o.cacheDir}. Free some space or choose a smaller dtype (e.g. q4).`, 'NO_SPACE');
    }
    const meter = new Meter(total, o.onProgress);
    let done = 0;
    for (const f of remote) {
      const target = path.join(dir, f.name);
      if (!present(f)) await fetchFile(opts, f, target, { meter, doneBefore: done });
      done += f.size;
      meter.update(f.name, done, true);
    }
    const result: PulledModel = { repo: o.repo, revision: o.revision, commit, dir, files: remote.map((f) => ({ name: f.name, size: f.size, sha256: f.sha256 })), offline: false };
    fs.writeFileSync(path.join(dir, MANIFEST), JSON.stringify({ ...result, dtype: o.dtype, endpoint: base, pulledAt: new Date().toISOString() }, null, 1));
    // The ref is written last and atomically: readers only ever see a complete snapshot.
    const ref = refFile(o);
    fs.mkdirSync(path.dirname(ref), { recursive: true });
    fs.writeFileSync(`${ref}.tmp`, commit);
    fs.renameSync(`${ref}.tmp`, ref);
    return result;
  });
}
