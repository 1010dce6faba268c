/**
 * `onnx-assist chat` on the scripted instruct fixture: JSON lines when standard input is not a
 * terminal (one reply object per question, older turns left out to fit the window, a bad line
 * answered with an error object), a model without a chat template refused with the way out, and
 * the terminal conversation through a real pseudo-terminal (`script`): Ctrl+C stops the reply,
 * the next question is answered, Ctrl+C at the prompt quits with status 130. Every keystroke is
 * sent after what the CLI printed, never after a delay.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { main } from '../../src/cli/main';
import { ModelRegistry } from '../../src/server/models';
import { ApiServer, SERVE_DEFAULTS } from '../../src/server/server';
import { fixture, newClient, ROOT } from './helpers';
import { CODE_REPLY, FOREVER, makeScriptedChatModel } from './scriptedChatModel';

async function chat(args: string[], lines: unknown[]) {
  let out = '';
  let err = '';
  const stdin = Readable.from([Buffer.from(lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n')]);
  const code = await main(['chat', ...args], { out: (s) => (out += s), err: (s) => (err += s), stdin });
  return { code, out, err, replies: out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('CLI chat', function () {
  this.timeout(120_000);
  let dir: string;
  let model: string;
  let small: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-chat-'));
    model = makeScriptedChatModel(path.join(dir, 'chat'));
    small = makeScriptedChatModel(path.join(dir, 'small'), 200);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('JSON lines: one reply object per question, the conversation carried over', async () => {
    const r = await chat(['--model', model], [{ role: 'system', content: 'Be terse.' }, { role: 'user', content: 'write add' }, { role: 'user', content: 'again' }]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.replies.length, 2);
    for (const reply of r.replies) {
      assert.equal(reply.role, 'assistant');
      assert.equal(reply.content, CODE_REPLY.join(''));
      assert.equal(reply.stopped, false);
      assert.equal(reply.stopReason, 'eos');
      assert.equal(reply.droppedTurns, 0);
    }
    assert.ok((r.replies[1].promptTokens as number) > (r.replies[0].promptTokens as number), 'the second prompt holds the first turn');
  });

  it('JSON lines: older turns are left out to fit the window, and each reply says how many', async () => {
    const long = 'explain the add function '.repeat(2);
    const r = await chat(['--model', small, '--max-new-tokens', '40'], [1, 2, 3, 4].map((i) => ({ role: 'user', content: `${i} ${long}` })));
    assert.equal(r.code, 0, r.err);
    assert.equal(r.replies[0].droppedTurns, 0);
    const last = r.replies.at(-1)!;
    assert.ok((last.droppedTurns as number) >= 1, JSON.stringify(r.replies.map((x) => x.droppedTurns)));
    assert.ok((last.promptTokens as number) <= 160);
    assert.equal(last.content, CODE_REPLY.join(''));
  });

  it('JSON lines: a line that is not a message gets an error object, and the conversation goes on', async () => {
    const r = await chat(['--model', model], ['not json', { role: 'tool', content: 'x' }, { role: 'user', content: 'hi' }]);
    assert.equal(r.code, 0, r.err);
    assert.match(String((r.replies[0].error as { message: string }).message), /JSON object/);
    assert.match(String((r.replies[1].error as { message: string }).message), /role must be/);
    assert.equal(r.replies[2].content, CODE_REPLY.join(''));
  });

  it('--backend openai: the same conversation from a remote chat engine (onnx-assist serve over HTTP)', async () => {
    const client = newClient();
    const server = new ApiServer(client, await ModelRegistry.load(client, [`scripted=${model}`]), { ...SERVE_DEFAULTS, port: 0, logPrompts: false, log: () => undefined });
    try {
      const { port } = await server.listen();
      const r = await chat(['--backend', 'openai', '--endpoint', `http://127.0.0.1:${port}/v1`, '--remote-model', 'scripted'], [{ role: 'user', content: 'write add' }, { role: 'user', content: 'again' }]);
      assert.equal(r.code, 0, r.err);
      assert.deepEqual(r.replies.map((x) => x.content), [CODE_REPLY.join(''), CODE_REPLY.join('')]);
      assert.equal(r.replies[1].droppedTurns, 0, 'a remote window is not known here: nothing is left out');
    } finally {
      await server.drain(0);
      await client.dispose();
    }
  });

  it('a model without a chat template is refused with what to use instead', async () => {
    const r = await chat(['--model', fixture('tiny-gpt2')], [{ role: 'user', content: 'hi' }]);
    assert.equal(r.code, 1);
    assert.match(r.err, /has no chat template .* use an instruct model/);
    const usage = await chat(['--model', model, '--prompt', 'x'], []);
    assert.equal(usage.code, 2);
    assert.match(usage.err, /--prompt is for generate/);
  });

  it('on a terminal: Ctrl+C stops the reply, the next question is answered, Ctrl+C at the prompt quits (130)', async function () {
    if (process.platform !== 'linux' || !fs.existsSync('/usr/bin/script')) this.skip();
    const cmd = [process.execPath, path.join(ROOT, 'bin', 'onnx-assist.js'), 'chat', '--model', model, '--max-new-tokens', '32000'].map((a) => `'${a}'`).join(' ');
    // util-linux script: a real pseudo-terminal, so stdin is a TTY and Ctrl+C is a keystroke.
    const child = spawn('/usr/bin/script', ['-qfec', cmd, '/dev/null'], { stdio: 'pipe' });
    let text = '';
    const waiters: { test: (t: string) => boolean; resolve: () => void }[] = [];
    child.stdout.on('data', (d: Buffer) => {
      text += d.toString();
      for (const w of [...waiters]) {
        if (!w.test(text)) continue;
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    });
    const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const until = (test: (t: string) => boolean) =>
      new Promise<void>((resolve, reject) => {
        if (test(text)) return resolve();
        waiters.push({ test, resolve });
        void exit.then(() => reject(new Error(`exited first: ${JSON.stringify(text)}`)));
      });
    try {
      await until((t) => t.includes('you> '));
      child.stdin.write(`count ${FOREVER}\r`);
      await until((t) => /tick tock tick/.test(t));
      child.stdin.write('\x03');
      await until((t) => /\[stopped/.test(t));
      // The stopped reply stays in the conversation (and keeps this fixture in its endless mode): forget it.
      child.stdin.write('/clear\r');
      await until((t) => t.includes('(conversation cleared)'));
      const mark = text.length;
      child.stdin.write('write add\r');
      await until((t) => t.slice(mark).includes('Call it as add(2, 3).'));
      const answered = text.indexOf('Call it as add(2, 3).', mark);
      await until((t) => t.slice(answered).includes('you> '));
      child.stdin.write('\x03');
      assert.equal(await exit, 130, text);
      assert.match(text, /stopped \(Ctrl\+C\)/);
    } finally {
      if (child.exitCode === null) child.kill();
    }
  });
});
