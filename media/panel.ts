/**
 * Sidebar panel script, bundled by the build (tools/build.mjs) into media/panel.js. Talks to the
 * extension only through postMessage, typed against src/protocol/webview.ts; the extension
 * validates everything it receives. Waits for the extension's `init` (sent after our `ready`),
 * never a timer.
 */
import type { EvaluationReport } from '../src/protocol/reports';
import type { LabelScore } from '../src/protocol/types';
import { PANEL_FIELDS, type FromPanel, type PanelField, type PanelRanges, type ToPanel } from '../src/protocol/webview';
import { drawBars, drawConfusion, drawRoc, f3, pct } from './charts';
import { fieldProblem } from './fields';
import { ChatView } from './chat';

declare function acquireVsCodeApi(): { postMessage(message: FromPanel): void };

type Message<T extends ToPanel['type']> = Extract<ToPanel, { type: T }>;

(function () {
  const vscode = acquireVsCodeApi();
  const $ = (id: string): HTMLElement => document.getElementById(id) as HTMLElement;
  /** The numeric controls; their ranges arrive in `init` (the protocol's own table). */
  const fields: readonly PanelField[] = PANEL_FIELDS;
  let ranges: Partial<PanelRanges> = {};
  const out = $('output');
  const gen = $('generate') as HTMLButtonElement;
  const stop = $('stopBtn') as HTMLButtonElement;
  const input = (id: string) => $(id) as HTMLInputElement;
  let running = false;

  function setRunning(r: boolean) {
    running = r;
    gen.disabled = r;
    stop.disabled = !r;
  }

  function setClassifying(c: boolean) {
    for (const id of ['classify', 'useSelection']) ($(id) as HTMLButtonElement).disabled = c;
  }

  /** Shows (or clears) a control's problem right below it. */
  function showFieldProblem(f: string, problem: string | undefined) {
    $(`${f}-problem`).textContent = problem || '';
    if (problem) input(f).setAttribute('aria-invalid', 'true');
    else input(f).removeAttribute('aria-invalid');
  }

  /** Checks one control against its range; returns its problem. */
  function check(f: PanelField): string | undefined {
    const range = ranges[f];
    if (!range) return undefined;
    const el = input(f);
    const problem = fieldProblem(range, el.value, el.validity.badInput);
    showFieldProblem(f, problem);
    return problem;
  }

  function options(): Extract<FromPanel, { type: 'generate' }>['options'] {
    const o: Record<string, number | boolean | string[]> = {};
    for (const f of fields) {
      const v = input(f).value;
      if (v !== '') o[f] = Number(v);
    }
    // The host derives doSample from the temperature (host/generation/options.ts): one rule.
    const stopText = input('stop').value.replace(/\\n/g, '\n').replace(/\\t/g, '\t');
    if (stopText) o.stop = [stopText];
    return o;
  }

  for (const f of fields) input(f).addEventListener('input', () => check(f));

  /** The controls' values, or undefined with the problems shown in `errorSlot` (nothing out of range is sent). */
  function checkedOptions(errorSlot: string): ReturnType<typeof options> | undefined {
    $(errorSlot).textContent = '';
    const bad = fields.filter((f) => check(f));
    if (bad.length) {
      ($('controls') as HTMLDetailsElement).open = true;
      input(bad[0]).focus();
      $(errorSlot).textContent = `Not sent: ${bad.map((f) => $(`${f}-problem`).textContent).join(' ')}`;
      return undefined;
    }
    return options();
  }

  const chat = new ChatView((m) => vscode.postMessage(m), $, () => checkedOptions('chatError'));

  gen.addEventListener('click', () => {
    // Nothing out of range is sent: the problem shows beside its control, and Generate stays usable.
    const o = checkedOptions('genError');
    if (!o) return;
    const prompt = ($('prompt') as HTMLTextAreaElement).value;
    out.textContent = '';
    $('stats').textContent = '';
    $('error').textContent = '';
    setRunning(true);
    vscode.postMessage({ type: 'generate', prompt, options: o });
  });
  $('prompt').addEventListener('keydown', (e: KeyboardEvent) => {
    if ((e.ctrlKey || e.metaKey) && e.key === 'Enter' && !running) gen.click();
  });
  stop.addEventListener('click', () => vscode.postMessage({ type: 'stop' }));
  $('copy').addEventListener('click', () => vscode.postMessage({ type: 'copy', text: out.textContent || '' }));
  $('insert').addEventListener('click', () => vscode.postMessage({ type: 'insert', text: out.textContent || '' }));
  const zsLabels = () => input('zsLabels').value;

  /** A new classification: the previous result (another text's labels) goes at once. */
  function startClassify(message: Extract<FromPanel, { type: 'classify' | 'classifySelection' }>) {
    $('labels').textContent = '';
    $('clsError').textContent = '';
    $('clsMethod').textContent = 'Classifying…';
    setClassifying(true);
    vscode.postMessage(message);
  }
  $('classify').addEventListener('click', () => startClassify({ type: 'classify', text: ($('clsText') as HTMLTextAreaElement).value, labels: zsLabels() }));
  $('useSelection').addEventListener('click', () => startClassify({ type: 'classifySelection', labels: zsLabels() }));
  $('evaluate').addEventListener('click', () => vscode.postMessage({ type: 'evaluate' }));
  $('downloadModel').addEventListener('click', () => vscode.postMessage({ type: 'downloadModel' }));
  $('importModel').addEventListener('click', () => vscode.postMessage({ type: 'importModel' }));
  $('providerWhy').addEventListener('click', () => vscode.postMessage({ type: 'run', command: 'onnxAssist.showStatus' }));

  /** Where each request's error is shown: beside what the request was for. */
  const ERROR_SLOT: Partial<Record<string, string>> = {
    generate: 'genError',
    stop: 'genError',
    copy: 'chatError',
    insert: 'chatError',
    apply: 'chatError',
    chatSend: 'chatError',
    chatEdit: 'chatError',
    chatRegenerate: 'chatError',
    chatStop: 'chatError',
    chatClear: 'chatError',
    chatAttach: 'chatError',
    chatDetach: 'chatError',
    classify: 'clsError',
    classifySelection: 'clsError',
    evaluate: 'clsError',
    refreshModels: 'modelsError',
    downloadModel: 'modelsError',
    importModel: 'modelsError',
    deleteModel: 'modelsError',
    exportReport: 'repError',
  };

  /** An error answers a request: re-enable what that request disabled, show it where it belongs. */
  function showError(m: Message<'error'>) {
    const request = m.request || 'unknown';
    if (request === 'generate' || request === 'stop' || request === 'unknown') setRunning(false);
    if (request === 'classify' || request === 'classifySelection' || request === 'unknown') {
      setClassifying(false);
      $('labels').textContent = '';
      $('clsMethod').textContent = '';
    }
    if (m.fields) {
      for (const [f, problem] of Object.entries(m.fields)) if ($(`${f}-problem`)) showFieldProblem(f, problem);
      ($('controls') as HTMLDetailsElement).open = true;
    }
    const slot = $(ERROR_SLOT[request] ?? 'error');
    slot.textContent = m.message;
    for (const a of m.actions || []) {
      const b = document.createElement('button');
      b.className = 'secondary';
      b.textContent = a.title;
      b.addEventListener('click', () => vscode.postMessage({ type: 'run', command: a.command }));
      slot.append(' ', b);
    }
    slot.scrollIntoView({ block: 'nearest' });
  }

  function showProvider(m: Message<'init'> | Message<'status'>) {
    const line = `Model ${m.model} · classifier ${m.classifier} · ${m.provider.line}`;
    $('modelLine').textContent = line;
    $('modelLine').title = m.provider.reason ? `${line}. Details: ONNX Assist: Show Host Status.` : line;
    $('providerWhy').hidden = !m.provider.reason;
  }

  function showModels(m: Message<'models'>) {
    const list = $('modelsList');
    list.textContent = '';
    if (m.models.length === 0) list.textContent = 'No downloaded models yet.';
    for (const x of m.models) {
      const row = document.createElement('div');
      row.className = 'model-row';
      row.setAttribute('role', 'listitem');
      const name = document.createElement('span');
      name.textContent = `${x.repo} · ${x.dtype} · ${(x.bytes / 1e6).toFixed(x.bytes < 1e7 ? 1 : 0)} MB${x.inUse ? ' · in use' : ''}`;
      const del = document.createElement('button');
      del.className = 'secondary';
      del.textContent = 'Delete';
      del.setAttribute('aria-label', `Delete ${x.repo}`);
      del.addEventListener('click', () => vscode.postMessage({ type: 'deleteModel', repo: x.repo }));
      row.append(name, del);
      list.appendChild(row);
    }
    $('modelsDir').textContent = `Cache: ${m.cacheDir}`;
  }
  $('exportMd').addEventListener('click', () => vscode.postMessage({ type: 'exportReport', format: 'markdown' }));
  $('exportJson').addEventListener('click', () => vscode.postMessage({ type: 'exportReport', format: 'json' }));

  function showReport(r: EvaluationReport) {
    $('report').hidden = false;
    const name = (p: string) => p.split(/[\\/]/).pop() ?? p;
    const summary = $('repSummary');
    summary.textContent = '';
    const lines = [
      `${name(r.model)} (${r.method}) on ${name(r.data)}`,
      `${r.count} records · accuracy ${pct(r.accuracy)} · macro F1 ${f3(r.macro.f1)} · micro F1 ${f3(r.micro.f1)}${r.roc ? ` · AUC ${f3(r.roc.auc)} (${r.roc.positive})` : ''}`,
    ];
    for (const l of lines) summary.appendChild(document.createElement('div')).textContent = l;
    summary.firstElementChild?.classList.add('strong');
    $('repBars').replaceChildren(drawBars(r));
    $('repConfusion').replaceChildren(drawConfusion(r));
    $('repRocBox').hidden = !r.roc;
    if (r.roc) $('repRoc').replaceChildren(drawRoc(r.roc));
    const notes: string[] = [];
    const unknown = Object.entries(r.unknownLabels);
    if (unknown.length) notes.push(`Labels the model does not know (counted as errors): ${unknown.map(([l, n]) => `${l} (${n})`).join(', ')}.`);
    if (r.skipped.length) notes.push(`${r.skipped.length} records skipped (first: line ${r.skipped[0].line}, ${r.skipped[0].reason}).`);
    $('repNotes').textContent = notes.join(' ');
    document.body.dataset.report = 'true';
  }

  function showContext(c: Message<'context'>['context']) {
    const used = c.files.length ? `${c.files.join(', ')} (${c.usedChunks} chunks, ${c.usedTokens} tokens)` : 'no other file yet';
    $('contextLine').textContent = c.enabled ? `Project context of the last suggestion: ${used}.` : 'Project context is off.';
    $('contextToggle').textContent = c.enabled ? 'Turn off' : 'Turn on';
  }
  $('contextToggle').addEventListener('click', () => vscode.postMessage({ type: 'run', command: 'onnxAssist.toggleContext' }));

  function showCounters(c: Message<'counters'>['counters']) {
    $('counters').textContent = `Inline completions: ${c.shown} shown, ${c.accepted} accepted (${c.acceptedChars} characters). Counted on this machine only.`;
  }

  function showLabels(labels: LabelScore[]) {
    const box = $('labels');
    box.textContent = '';
    for (const l of labels) {
      const row = document.createElement('div');
      row.className = 'label-row';
      row.setAttribute('role', 'listitem');
      const name = document.createElement('span');
      name.textContent = l.label;
      const track = document.createElement('div');
      track.className = 'bar-track';
      const fill = document.createElement('div');
      fill.className = 'bar';
      fill.style.width = `${(l.score * 100).toFixed(1)}%`;
      track.appendChild(fill);
      const pct = document.createElement('span');
      pct.textContent = `${(l.score * 100).toFixed(1)}%`;
      row.append(name, track, pct);
      row.setAttribute('aria-label', `${l.label} ${(l.score * 100).toFixed(1)} percent`);
      box.appendChild(row);
    }
  }

  window.addEventListener('message', (event: MessageEvent<ToPanel>) => {
    const m = event.data;
    switch (m?.type) {
      case 'init':
        ranges = m.ranges;
        for (const f of fields) {
          const el = input(f);
          const r = ranges[f];
          if (r) {
            el.min = String(r.min);
            el.max = String(r.max);
            if (r.integer) el.step = '1';
          }
          const d = (m.defaults as Partial<Record<PanelField, number>>)[f];
          if (d !== undefined) el.value = String(d);
          check(f); // a default from the settings can be out of range too
        }
        input('zsLabels').value = m.zeroShotLabels || '';
        showProvider(m);
        showCounters(m.counters);
        document.body.dataset.ready = 'true';
        break;
      case 'status':
        showProvider(m);
        break;
      case 'token':
        out.textContent += m.text;
        break;
      case 'done':
        setRunning(false);
        $('stats').textContent = `${m.stats.newTokens} tokens · first token ${Math.round(m.stats.timeToFirstTokenMs)} ms · ${m.stats.tokensPerSecond.toFixed(1)} tokens/s · ${m.stats.ep} · stopped by ${m.stopReason}`;
        break;
      case 'error':
        showError(m);
        break;
      case 'classified':
        setClassifying(false);
        $('clsError').textContent = '';
        $('clsMethod').textContent = m.method;
        showLabels(m.labels);
        break;
      case 'report':
        showReport(m.report);
        break;
      case 'models':
        $('modelsError').textContent = '';
        showModels(m);
        break;
      case 'counters':
        showCounters(m.counters);
        break;
      case 'context':
        showContext(m.context);
        break;
      case 'chat':
        chat.show(m);
        break;
      case 'chatToken':
        chat.token(m.turn, m.text);
        break;
    }
  });
  vscode.postMessage({ type: 'ready' });
})();
