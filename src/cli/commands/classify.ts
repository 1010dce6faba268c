/**
 * `classify`: texts from the command line (a line each, or --json), or a whole data file whose
 * results go to a new file beside it; the model is a classifier folder, a taught .json, or an
 * embedding model with --labels (zero-shot); or, with --backend tei|openai, a remote engine.
 */
import { classifyFile } from '../../core/classification/batch';
import { bindClassifier } from '../../core/classification/classifier';
import type { NumberRange } from '../../protocol/validate';
import { classifierSpec, embeddingFlags, labelFlags, numberFlag, UsageError } from '../args';
import { scoreBySimilarity } from '../../protocol/similarity';
import { RemoteEmbedder, type EmbeddingConfig } from '../../core/remote';
import type { HostContext } from '../context';
import { listSkipped, textColumn } from '../dataFile';
import { noteFallback } from '../fallback';
import { textsOf } from '../input';
import { isFewShotPath } from '../../protocol/classification';
import { classifyForSpec, mailFileText } from '../../core/classification/mail';

type BoundClassifier = ReturnType<typeof bindClassifier>;

/** classify --top-k: how many labels to print per text (0: all). */
const CLASSIFY_TOP_K: NumberRange = { min: 0, max: 100_000, integer: true, label: 'Top-k', flag: 'top-k' };

/**
 * A remote engine as the classifier: Text Embeddings Inference's /predict for a sequence
 * classifier, or, with --labels, zero-shot by similarity on the engine's embeddings (TEI /embed
 * or OpenAI /v1/embeddings), scored as the host scores its own embedding models.
 */
function bindRemote(config: EmbeddingConfig, v: HostContext['v'], signal: AbortSignal): BoundClassifier {
  const embedder = new RemoteEmbedder(config);
  const { labels, multiLabel } = labelFlags(v);
  if (v.template !== undefined) throw new UsageError('--template is for NLI zero-shot on a local model; a remote engine scores labels by embedding similarity');
  const where = `${config.backend} at ${config.endpoint}`;
  if (!labels) return { classify: (texts) => embedder.classify(texts, signal), method: () => `classifier (${where})` };
  return {
    classify: async (texts) => {
      const vectors = await embedder.embed([...texts, ...labels], signal);
      return scoreBySimilarity({ texts: vectors.slice(0, texts.length), labels: vectors.slice(texts.length), names: labels, multiLabel: !!multiLabel });
    },
    method: () => `zero-shot (similarity, ${where})`,
  };
}

export async function classify(ctx: HostContext): Promise<void> {
  const { client, v, io, json, signal } = ctx;
  const remote = embeddingFlags(v);
  const spec = remote ? undefined : classifierSpec(v);
  const topK = numberFlag(v, CLASSIFY_TOP_K);
  const bound = spec ? bindClassifier(client, spec, signal) : bindRemote(remote!, v, signal);
  // A mail classifier gets raw messages (a .eml given as --text-file, a record) parsed first.
  if (spec) bound.classify = classifyForSpec(spec, bound.classify);
  if (v.eml !== undefined && (v.text ?? v['text-file'] ?? v.file) !== undefined) throw new UsageError('give --eml or --text, --text-file, --file, not several');
  if (v.file !== undefined) {
    if (v.text !== undefined || v['text-file'] !== undefined) throw new UsageError('give --text, --text-file or --file, not several');
    await classifyDataFile(ctx, bound);
    return;
  }
  if (v.text === undefined && v['text-file'] === undefined && v.eml === undefined) throw new UsageError('give --text T, --text-file PATH or --file F (a text, CSV, TSV or JSONL file), or --eml PATH (a mail file)');
  const texts = v.eml ? await emlTexts(v.eml) : await textsOf(ctx, 'classify');
  const results = (await bound.classify(texts)).map((r) => (topK ? r.slice(0, topK) : r));
  if (json) io.out(`${JSON.stringify({ method: bound.method(), results })}\n`);
  else results.forEach((labels, i) => io.out(`${texts[i].replace(/\s+/g, ' ').slice(0, 60)}\t${labels.map((l) => `${l.label}=${l.score.toFixed(4)}`).join(' ')}\n`));
  if (spec && !isFewShotPath(spec.modelPath)) await noteFallback(ctx, spec);
}

/** classify --eml: each file parsed as a message (any model), as the mail classifier reads mail. */
async function emlTexts(files: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const f of files) {
    try {
      out.push(await mailFileText(f));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new UsageError(`--eml: ${f} ${code === 'ENOENT' ? 'does not exist' : `cannot be read as a message (${code ?? (e as Error).message})`}`);
    }
  }
  return out;
}

/** classify --file: a whole file, written to a new file beside it with progress on stderr. */
async function classifyDataFile({ v, io, json, signal }: HostContext, bound: BoundClassifier): Promise<void> {
  const file = v.file!;
  const { text } = await textColumn(file, v);
  let last = 0;
  const r = await classifyFile({
    input: file,
    textColumn: text,
    classify: bound.classify,
    fields: { label: v['label-field'], score: v['score-field'] },
    isCancelled: () => signal.aborted,
    onProgress: (p) => {
      if (json || Date.now() - last < 250) return;
      last = Date.now();
      io.err(`\r${p.records} records, ${Math.round((100 * p.bytes) / Math.max(1, p.totalBytes))}%`);
    },
  });
  if (json) io.out(`${JSON.stringify({ ...r, method: bound.method() })}\n`);
  else {
    io.err('\n');
    io.out(`${r.records} records classified (${bound.method()}) -> ${r.output}\n`);
    io.out(`labels: ${Object.entries(r.counts).map(([l, n]) => `${l} ${n}`).join(', ')}\n`);
    listSkipped(io, r.skipped);
  }
}
