// Sidebar panel script. Talks to the extension only through postMessage; the extension validates
// everything it receives. Waits for the extension's `init` (sent after our `ready`), never a timer.
// @ts-check
(function () {
  // eslint-disable-next-line no-undef
  const vscode = acquireVsCodeApi();
  const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
  const fields = ['maxNewTokens', 'temperature', 'topK', 'topP', 'repetitionPenalty', 'noRepeatNgramSize'];
  const out = $('output');
  const gen = /** @type {HTMLButtonElement} */ ($('generate'));
  const stop = /** @type {HTMLButtonElement} */ ($('stopBtn'));
  let running = false;

  function setRunning(r) {
    running = r;
    gen.disabled = r;
    stop.disabled = !r;
  }

  function options() {
    const o = {};
    for (const f of fields) {
      const v = /** @type {HTMLInputElement} */ ($(f)).value;
      if (v !== '') o[f] = Number(v);
    }
    if (o.temperature !== undefined) o.doSample = o.temperature > 0;
    if (o.temperature === 0) delete o.temperature;
    const stopText = /** @type {HTMLInputElement} */ ($('stop')).value.replace(/\\n/g, '\n').replace(/\\t/g, '\t');
    if (stopText) o.stop = [stopText];
    const seed = /** @type {HTMLInputElement} */ ($('seed')).value;
    if (seed !== '') o.seed = Number(seed);
    return o;
  }

  gen.addEventListener('click', () => {
    const prompt = /** @type {HTMLTextAreaElement} */ ($('prompt')).value;
    out.textContent = '';
    $('stats').textContent = '';
    $('error').textContent = '';
    setRunning(true);
    vscode.postMessage({ type: 'generate', prompt, options: options() });
  });
  $('prompt').addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === 'Enter' && !running) gen.click();
  });
  stop.addEventListener('click', () => vscode.postMessage({ type: 'stop' }));
  $('copy').addEventListener('click', () => vscode.postMessage({ type: 'copy', text: out.textContent || '' }));
  $('insert').addEventListener('click', () => vscode.postMessage({ type: 'insert', text: out.textContent || '' }));
  $('classify').addEventListener('click', () => {
    $('error').textContent = '';
    vscode.postMessage({ type: 'classify', text: /** @type {HTMLTextAreaElement} */ ($('clsText')).value });
  });
  $('useSelection').addEventListener('click', () => {
    $('error').textContent = '';
    vscode.postMessage({ type: 'classifySelection' });
  });

  function showCounters(c) {
    $('counters').textContent = `Inline completions: ${c.shown} shown, ${c.accepted} accepted (${c.acceptedChars} characters). Counted on this machine only.`;
  }

  function showLabels(labels) {
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

  window.addEventListener('message', (event) => {
    const m = event.data;
    switch (m && m.type) {
      case 'init':
        for (const f of fields) /** @type {HTMLInputElement} */ ($(f)).value = String(m.defaults[f]);
        $('modelLine').textContent = `Model ${m.model} · classifier ${m.classifier} · ${m.ep}`;
        showCounters(m.counters);
        document.body.dataset.ready = 'true';
        break;
      case 'status':
        $('modelLine').textContent = `Model ${m.model} · classifier ${m.classifier} · ${m.ep}${m.fallback ? ` (fallback: ${m.fallback})` : ''}`;
        break;
      case 'token':
        out.textContent += m.text;
        break;
      case 'done':
        setRunning(false);
        $('stats').textContent = `${m.stats.newTokens} tokens · first token ${Math.round(m.stats.timeToFirstTokenMs)} ms · ${m.stats.tokensPerSecond.toFixed(1)} tokens/s · ${m.stats.ep} · stopped by ${m.stopReason}`;
        break;
      case 'error':
        setRunning(false);
        $('error').textContent = m.message;
        break;
      case 'classified':
        showLabels(m.labels);
        break;
      case 'counters':
        showCounters(m.counters);
        break;
    }
  });
  vscode.postMessage({ type: 'ready' });
})();
