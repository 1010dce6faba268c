/**
 * A Hugging Face Hub emulator for tests: a real HTTP server on 127.0.0.1 speaking the Hub's URL
 * scheme and headers, serving model folders from disk, with faults on demand.
 *
 *   GET  /api/models/{owner}/{name}/revision/{rev}  -> { sha, siblings: [{ rfilename }] }
 *   HEAD|GET /{owner}/{name}/resolve/{rev}/{path}  -> small files: 200 with ETag and X-Repo-Commit;
 *        LFS-style files (*.onnx, *_data, > 64 KB): 302 to /cdn/{sha256} with X-Linked-Etag,
 *        X-Linked-Size, X-Repo-Commit
 *   HEAD|GET /cdn/{sha256}                          -> the bytes, honouring Range (206)
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

export type Fault =
  | { kind: 'cut'; at: number } // close the connection after this fraction of the body
  | { kind: 'ignoreRange' } // answer 200 with the whole file to a Range request
  | { kind: 'corrupt' } // right size, wrong bytes
  | { kind: 'slow'; bytesPerSecond: number }
  | { kind: 'notFound' };

interface FileEntry {
  name: string;
  abs: string;
  size: number;
  sha256: string;
  lfs: boolean;
}

interface Repo {
  id: string;
  commit: string;
  files: FileEntry[];
  gated: boolean;
}

export interface RequestLog {
  method: string;
  url: string;
  range?: string;
  authorization?: string;
}

function walk(dir: string, base = dir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p, base) : [path.relative(base, p).split(path.sep).join('/')];
  });
}

export class HubEmulator {
  private server: http.Server | undefined;
  /** The CDN is another origin, as on the real Hub, so tokens must not follow the redirect. */
  private cdnServer: http.Server | undefined;
  cdnUrl = '';
  private readonly repos = new Map<string, Repo>();
  /** Faults by file-name suffix ('*' = every file), each used `times` times (default once). */
  private readonly faults: { match: string; fault: Fault; times: number }[] = [];
  readonly requests: RequestLog[] = [];
  /** Extra names a repo lists (for path-traversal tests). */
  readonly extraSiblings = new Map<string, string[]>();
  token = 'hf_test_token';
  url = '';

  /** Serves a folder as repo `id`; its commit is a hash of its contents. */
  addRepo(id: string, dir: string, opts: { gated?: boolean } = {}): void {
    const files = walk(dir)
      .sort()
      .map((name) => {
        const abs = path.join(dir, name);
        const buf = fs.readFileSync(abs);
        return { name, abs, size: buf.length, sha256: createHash('sha256').update(buf).digest('hex'), lfs: /\.onnx$|_data(_\d+)?$|\.data$/.test(name) || buf.length > 65536 };
      });
    const commit = createHash('sha1').update(files.map((f) => `${f.name}:${f.sha256}`).join('\n')).digest('hex');
    this.repos.set(id, { id, commit, files, gated: !!opts.gated });
  }

  commitOf(id: string): string {
    return this.repos.get(id)!.commit;
  }

  fault(match: string, fault: Fault, times = 1): void {
    this.faults.push({ match, fault, times });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  private takeFault(name: string): Fault | undefined {
    const f = this.faults.find((x) => x.times > 0 && (x.match === '*' || name.endsWith(x.match)));
    if (!f) return undefined;
    f.times--;
    return f.fault;
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.cdnServer = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    await new Promise<void>((r) => this.cdnServer!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.cdnUrl = `http://127.0.0.1:${(this.cdnServer.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const s of [this.server, this.cdnServer]) {
      s?.closeAllConnections();
      await new Promise<void>((r) => (s ? s.close(() => r()) : r()));
    }
  }

  private authorized(repo: Repo, req: http.IncomingMessage): boolean {
    return !repo.gated || req.headers.authorization === `Bearer ${this.token}`;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', this.url);
    this.requests.push({ method: req.method ?? 'GET', url: url.pathname, range: req.headers.range, authorization: req.headers.authorization });
    const deny = (code: number, msg: string) => {
      res.writeHead(code, { 'content-type': 'application/json', 'x-error-message': msg });
      res.end(JSON.stringify({ error: msg }));
    };
    const api = /^\/api\/models\/([^/]+\/[^/]+)\/revision\/(.+)$/.exec(url.pathname);
    if (api) {
      const repo = this.repos.get(decodeURIComponent(api[1]));
      if (!repo) return deny(404, 'Repository not found');
      if (!this.authorized(repo, req)) return deny(401, 'Access to this model is restricted');
      const rev = decodeURIComponent(api[2]);
      if (rev !== 'main' && rev !== repo.commit) return deny(404, 'Revision not found');
      res.writeHead(200, { 'content-type': 'application/json' });
      const names = [...repo.files.map((f) => f.name), ...(this.extraSiblings.get(repo.id) ?? [])];
      res.end(JSON.stringify({ id: repo.id, sha: repo.commit, siblings: names.map((rfilename) => ({ rfilename })) }));
      return;
    }
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (resolve) {
      const repo = this.repos.get(decodeURIComponent(resolve[1]));
      if (!repo) return deny(404, 'Repository not found');
      if (!this.authorized(repo, req)) return deny(401, 'Access to this model is restricted');
      const name = resolve[3].split('/').map(decodeURIComponent).join('/');
      const file = repo.files.find((f) => f.name === name);
      const fault = this.faults.find((x) => x.times > 0 && x.fault.kind === 'notFound' && (x.match === '*' || name.endsWith(x.match)));
      if (!file || fault) {
        if (fault) fault.times--;
        return deny(404, 'Entry not found');
      }
      const common = { 'x-repo-commit': repo.commit, 'access-control-expose-headers': 'X-Repo-Commit, X-Linked-Etag, X-Linked-Size, ETag' };
      if (file.lfs) {
        res.writeHead(302, { ...common, location: `${this.cdnUrl}/cdn/${file.sha256}`, 'x-linked-etag': `"${file.sha256}"`, 'x-linked-size': String(file.size), etag: `"${file.sha256}"` });
        res.end();
        return;
      }
      return this.sendBytes(req, res, file, { ...common, etag: `"${createHash('sha1').update(`blob ${file.size}\0`).update(fs.readFileSync(file.abs)).digest('hex')}"` });
    }
    const cdn = /^\/cdn\/([0-9a-f]{64})$/.exec(url.pathname);
    if (cdn) {
      const file = [...this.repos.values()].flatMap((r) => r.files).find((f) => f.sha256 === cdn[1]);
      if (!file) return deny(404, 'Not found');
      return this.sendBytes(req, res, file, {});
    }
    deny(404, 'Not found');
  }

  private sendBytes(req: http.IncomingMessage, res: http.ServerResponse, file: FileEntry, headers: Record<string, string>): void {
    if (req.method === 'HEAD') {
      res.writeHead(200, { ...headers, 'content-length': String(file.size), 'accept-ranges': 'bytes' });
      res.end();
      return;
    }
    const fault = this.takeFault(file.name);
    let data = fs.readFileSync(file.abs);
    if (fault?.kind === 'corrupt') {
      data = Buffer.from(data);
      for (let i = 0; i < data.length; i += 97) data[i] ^= 0xff;
    }
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    let start = 0;
    if (m && fault?.kind !== 'ignoreRange') start = Math.min(Number(m[1]), data.length);
    const body = data.subarray(start);
    if (start > 0) res.writeHead(206, { ...headers, 'content-length': String(body.length), 'content-range': `bytes ${start}-${data.length - 1}/${data.length}` });
    else res.writeHead(200, { ...headers, 'content-length': String(body.length), 'accept-ranges': 'bytes' });
    if (fault?.kind === 'cut') {
      const cutAt = Math.floor(data.length * fault.at) - start;
      res.write(body.subarray(0, Math.max(0, cutAt)), () => setTimeout(() => res.destroy(), 20));
      return;
    }
    if (fault?.kind === 'slow') {
      const chunk = Math.max(1, Math.floor(fault.bytesPerSecond / 20));
      let at = 0;
      const tick = () => {
        if (res.destroyed) return;
        if (at >= body.length) return void res.end();
        res.write(body.subarray(at, at + chunk));
        at += chunk;
        setTimeout(tick, 50);
      };
      tick();
      return;
    }
    res.end(body);
  }
}
