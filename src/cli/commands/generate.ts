/**
 * `generate`: one prompt, streamed to stdout as it is written (one sequence) or printed whole
 * (several, or --json); the stats line goes to stderr so that stdout is only the text. With
 * --suffix the prompt is filled in the middle; --context-file adds other project files before it.
 * With --backend, a remote engine writes it instead of a local model (core/remote).
 */
import { CliFailure, generationOptions, loadFlags, remoteFlags, UsageError } from '../args';
import type { HostContext } from '../context';
import { noteFallback } from '../fallback';
import { contextOf, promptOf, suffixOf } from '../input';
import { createEngine, RemoteError, toGenerateResult, type CompleteRequest, type RemoteConfig } from '../../core/remote';
import type { GenerateResult } from '../../protocol/types';

/** The same request on a remote engine; its errors are one-line failures (exit 1), a bad configuration a usage error. */
async function generateRemote(c: RemoteConfig, r: CompleteRequest): Promise<GenerateResult> {
  try {
    return toGenerateResult(await createEngine(c).complete(r), c.backend);
  } catch (e) {
    if (e instanceof RemoteError) throw e.kind === 'config' ? new UsageError(e.message) : new CliFailure(e.message);
    throw e;
  }
}

export async function generate(ctx: HostContext): Promise<void> {
  const { client, v, io, json, signal } = ctx;
  const remote = remoteFlags(v);
  const load = remote ? undefined : loadFlags(v);
  const options = generationOptions(v);
  const prompt = await promptOf(ctx);
  const suffix = await suffixOf(ctx);
  const context = await contextOf(ctx);
  const filePath = v['file-path'];
  const repoName = v['repo-name'];
  const streaming = !json && (options.numReturnSequences ?? 1) === 1;
  let tail = '';
  const onToken = (e: { text: string }) => {
    if (streaming && e.text) {
      io.out(e.text);
      tail = e.text;
    }
  };
  const r = remote
    ? await generateRemote(remote, { prefix: prompt, suffix, context, filePath, options, signal, onToken })
    : await client.request('generate', { ...load!, prompt, suffix, context, filePath, repoName, options }, { signal, onEvent: onToken });
  if (json) {
    io.out(`${JSON.stringify(r)}\n`);
    return;
  }
  // The text ends with a newline on stdout, before the stats line on stderr.
  if (streaming) io.out(tail.endsWith('\n') ? '' : '\n');
  else r.texts.forEach((t, i) => io.out(`${r.texts.length > 1 ? `--- ${i + 1} ---\n` : ''}${t}${t.endsWith('\n') ? '' : '\n'}`));
  const s = r.stats;
  if (remote) {
    io.err(`[${remote.backend} at ${remote.endpoint}: ${s.promptTokens} prompt tokens, ${s.newTokens} new, first token ${s.timeToFirstTokenMs.toFixed(0)} ms, stopped by ${r.stopReasons.join(', ')}]\n`);
    return;
  }
  await noteFallback(ctx, load!);
  const ended = s.newTokens === 0 && r.stopReasons[0] === 'eos' ? ' (the model ended at once: its first token was end-of-text)' : '';
  io.err(`[${s.promptTokens} prompt tokens${s.truncatedTokens ? ` (${s.truncatedTokens} truncated)` : ''}, ${s.newTokens} new${ended}, first token ${s.timeToFirstTokenMs.toFixed(0)} ms, ${s.tokensPerSecond.toFixed(1)} tokens/s${s.contextChunks ? `, ${s.contextChunks} context file(s) in ${s.contextTokens} tokens` : ''}${s.draftTokens ? `, ${s.acceptedDraftTokens}/${s.draftTokens} drafted tokens accepted` : ''}, ${s.ep}, seed ${s.seed}]\n`);
}
