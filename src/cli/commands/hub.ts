/**
 * `pull` and `models`: models from a Hugging Face Hub into the local cache, and the cache itself.
 * Neither needs the inference host. Progress goes to stderr so that stdout stays the answer.
 */
import { defaultCacheDir } from '../../core/hub/cacheDir';
import { deleteCached, listCached, pullModel } from '../../core/hub/download';
import { HubError, parseDtype, parseRepoRef } from '../../core/hub/names';
import { CliFailure, UsageError } from '../args';
import type { CommandContext } from '../context';

function formatBytes(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(2)} GB` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${(n / 1e3).toFixed(0)} KB`;
}

/** A repository id or dtype the user typed: a malformed one is a usage error, not a failed download. */
function hubName<T>(flag: string, parseName: () => T): T {
  try {
    return parseName();
  } catch (e) {
    if (e instanceof HubError && e.code === 'BAD_NAME') throw new UsageError(`${flag}: ${e.message}`);
    throw e;
  }
}

/** `models`: what the cache holds, or --delete one repository from it. */
export async function models({ v, io, json }: CommandContext): Promise<void> {
  const cacheDir = v.cache ?? defaultCacheDir();
  if (v.delete !== undefined) {
    const { repo } = hubName('--delete', () => parseRepoRef(v.delete ?? ''));
    if (!deleteCached(cacheDir, repo)) throw new CliFailure(`${repo} is not in ${cacheDir}; nothing deleted (see onnx-assist models)`);
    io.out(`deleted ${repo} from ${cacheDir}\n`);
    return;
  }
  const list = listCached(cacheDir);
  if (json) io.out(`${JSON.stringify({ cacheDir, models: list })}\n`);
  else if (list.length === 0) io.out(`no models in ${cacheDir}; get one with: onnx-assist pull Xenova/distilgpt2\n`);
  else for (const m of list) io.out(`${m.repo}@${m.revision} ${m.dtype}  ${formatBytes(m.bytes)}  ${m.commit.slice(0, 10)}  ${m.dir}\n`);
}

/** `pull REPO[@REVISION]`: download (resuming, verified), or the cached copy when offline. */
export async function pull({ v, io, json, signal, operands }: CommandContext): Promise<void> {
  const cacheDir = v.cache ?? defaultCacheDir();
  const ref = operands[0];
  if (!ref) throw new UsageError('pull needs REPO[@REVISION], e.g. Xenova/distilgpt2');
  const { repo, revision } = hubName('pull', () => parseRepoRef(ref));
  const dtype = hubName('--dtype', () => parseDtype(v.dtype ?? 'fp32'));
  let lastLine = 0;
  const m = await pullModel({
    repo,
    revision,
    dtype,
    endpoint: v.endpoint ?? process.env.HF_ENDPOINT ?? 'https://huggingface.co',
    cacheDir,
    token: process.env.HF_TOKEN || undefined,
    signal,
    onProgress: (p) => {
      if (json || Date.now() - lastLine < 200) return;
      lastLine = Date.now();
      const width = 30;
      const done = Math.round((width * p.bytes) / Math.max(1, p.totalBytes));
      const eta = p.secondsLeft === undefined ? '' : ` ${Math.ceil(p.secondsLeft)} s left`;
      io.err(`\r[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${formatBytes(p.bytes)} / ${formatBytes(p.totalBytes)} ${formatBytes(p.bytesPerSecond)}/s${eta}   `);
    },
  });
  if (json) io.out(`${JSON.stringify(m)}\n`);
  else {
    io.err('\n');
    io.out(`${m.offline ? 'offline: using the cached ' : ''}${repo}@${revision} (${dtype}, commit ${m.commit.slice(0, 10)}) -> ${m.dir}\n`);
    io.out(`use it: onnx-assist generate --model ${JSON.stringify(m.dir)} --prompt ...  (or set onnxAssist.generationModel to that folder)\n`);
  }
}
