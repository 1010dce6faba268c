/**
 * `generate`: one prompt, streamed to stdout as it is written (one sequence) or printed whole
 * (several, or --json); the stats line goes to stderr so that stdout is only the text.
 */
import { generationOptions, loadFlags } from '../args';
import type { HostContext } from '../context';
import { noteFallback } from '../fallback';
import { promptOf } from '../input';

export async function generate(ctx: HostContext): Promise<void> {
  const { client, v, io, json, signal } = ctx;
  const load = loadFlags(v);
  const options = generationOptions(v);
  const prompt = await promptOf(ctx);
  const streaming = !json && (options.numReturnSequences ?? 1) === 1;
  let tail = '';
  const r = await client.request('generate', { ...load, prompt, options }, {
    signal,
    onEvent: (e) => {
      if (streaming && e.text) {
        io.out(e.text);
        tail = e.text;
      }
    },
  });
  if (json) {
    io.out(`${JSON.stringify(r)}\n`);
    return;
  }
  // The text ends with a newline on stdout, before the stats line on stderr.
  if (streaming) io.out(tail.endsWith('\n') ? '' : '\n');
  else r.texts.forEach((t, i) => io.out(`${r.texts.length > 1 ? `--- ${i + 1} ---\n` : ''}${t}${t.endsWith('\n') ? '' : '\n'}`));
  await noteFallback(ctx, load);
  const s = r.stats;
  const ended = s.newTokens === 0 && r.stopReasons[0] === 'eos' ? ' (the model ended at once: its first token was end-of-text)' : '';
  io.err(`[${s.promptTokens} prompt tokens${s.truncatedTokens ? ` (${s.truncatedTokens} truncated)` : ''}, ${s.newTokens} new${ended}, first token ${s.timeToFirstTokenMs.toFixed(0)} ms, ${s.tokensPerSecond.toFixed(1)} tokens/s${s.draftTokens ? `, ${s.acceptedDraftTokens}/${s.draftTokens} drafted tokens accepted` : ''}, ${s.ep}, seed ${s.seed}]\n`);
}
