/**
 * Names that arrive from users or servers: repo ids, revisions, dtype variants and file paths.
 * A file name from a server is data, not a path to trust: `..`, absolute, drive and UNC paths
 * are refused before anything touches the disk.
 */

export class HubError extends Error {
  constructor(
    message: string,
    readonly code: 'BAD_NAME' | 'NOT_FOUND' | 'UNAUTHORIZED' | 'NETWORK' | 'MISMATCH' | 'NO_SPACE' | 'CANCELLED' | 'NO_ONNX' | 'SERVER',
  ) {
    super(message);
  }
}

export interface RepoRef {
  repo: string;
  revision: string;
}

const PART = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/;

/** "owner/name" or "owner/name@revision" (revision: branch, tag or commit; default main). */
export function parseRepoRef(text: string): RepoRef {
  const [repo, revision = 'main', ...rest] = text.trim().split('@');
  const parts = repo.split('/');
  if (rest.length || parts.length !== 2 || !parts.every((p) => PART.test(p) && !p.includes('..'))) {
    throw new HubError(`"${text}" is not a Hub repository id: expected owner/name or owner/name@revision (e.g. Xenova/distilgpt2).`, 'BAD_NAME');
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$/.test(revision) || revision.includes('..')) {
    throw new HubError(`"${revision}" is not a usable revision (a branch, tag or commit id).`, 'BAD_NAME');
  }
  return { repo, revision };
}

/** Checks a server-supplied file path: relative, forward slashes, no `..`, no drive or UNC. */
export function safeRelativePath(name: string): string {
  const bad =
    name.length === 0 ||
    name.length > 512 ||
    name.startsWith('/') ||
    name.includes('\\') ||
    /^[A-Za-z]:/.test(name) ||
    name.includes('\0') ||
    name.split('/').some((p) => p === '..' || p === '.' || p === '');
  if (bad) throw new HubError(`The server named a file ${JSON.stringify(name.slice(0, 80))}, which is not a plain relative path; refusing it.`, 'BAD_NAME');
  return name;
}

/** The onnx/ file suffix of each dtype variant, as transformers.js names them. */
export const DTYPE_SUFFIX = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
} as const;
export type Dtype = keyof typeof DTYPE_SUFFIX;

export function parseDtype(v: string): Dtype {
  if (!(v in DTYPE_SUFFIX)) throw new HubError(`Unknown dtype "${v}"; one of ${Object.keys(DTYPE_SUFFIX).join(', ')}.`, 'BAD_NAME');
  return v as Dtype;
}

/** Folder name of a repo in the cache (owner--name, as the Hub's own cache does). */
export const repoFolder = (repo: string) => repo.replace('/', '--');
