/**
 * The chat's conversation logic (core/chat) on the real host: prompt messages, fitting a
 * conversation into a real model's window by its own tokenizer and template (countTokens), the
 * stored record, and replies from the scripted instruct fixture (a fenced code block, streamed;
 * Stop in the middle of an endless reply, after which the host answers the next question).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { attachmentText, promptMessages, retryLast, userContent, type ChatTurn } from '../../src/core/chat/conversation';
import { droppedNote, fitConversation, promptBudget, PromptTooLongError } from '../../src/core/chat/fit';
import { readStored, STORE_VERSION, toStored } from '../../src/core/chat/store';
import type { HostClient } from '../../src/client/hostClient';
import { HostError } from '../../src/protocol/errors';
import type { ChatMessage } from '../../src/protocol/types';
import { parsePanelMessage, requestOf } from '../../src/protocol/webview';
import { fixture, newClient, rejection } from './helpers';
import { CODE_BLOCK, CODE_REPLY, FOREVER, makeScriptedChatModel } from './scriptedChatModel';

const QWEN = fixture('tiny-qwen2');
const turn = (user: string, reply: string, extra: Partial<ChatTurn> = {}): ChatTurn => ({ id: user, user, attachments: [], reply, status: 'done', ...extra });

describe('chat: conversation and prompt', () => {
  it('sends the system prompt, answered turns, and the last question (failed turns left out)', () => {
    const turns = [turn('q1', 'a1'), turn('q2', '', { status: 'error', error: 'x' }), turn('q3', 'a3'), turn('q4', '', { status: 'streaming' })];
    assert.deepEqual(promptMessages('sys', turns), [
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'q1' },
      { role: 'assistant', content: 'a1' },
      { role: 'user', content: 'q3' },
      { role: 'assistant', content: 'a3' },
      { role: 'user', content: 'q4' },
    ]);
  });

  it('puts attachments before the question, fenced longer than any backticks inside', () => {
    const a = { kind: 'selection' as const, path: 'src/a.md', language: 'markdown', text: 'x\n```js\ny\n```\n', startLine: 3, endLine: 7 };
    assert.equal(attachmentText(a), 'Selection from src/a.md lines 3-7:\n````markdown\nx\n```js\ny\n```\n````');
    assert.equal(userContent({ user: 'why?', attachments: [a] }), `${attachmentText(a)}\n\nwhy?`);
  });

  it('regenerate keeps the question, edit replaces it; both clear the reply', () => {
    const turns = [turn('q1', 'a1'), turn('q2', 'a2', { attachments: [{ kind: 'file', path: 'f.py', language: 'python', text: 'x' }] })];
    const again = retryLast(turns)!;
    assert.equal(again.length, 2);
    assert.equal(again[1].user, 'q2');
    assert.equal(again[1].reply, '');
    assert.equal(again[1].attachments.length, 1);
    assert.equal(retryLast(turns, 'q2 edited')![1].user, 'q2 edited');
    assert.equal(retryLast([]), undefined);
  });

  it('stored record: read back checked, a streaming turn comes back stopped, bounded by turns and characters', () => {
    const turns = [turn('q1', 'a1'), turn('q2', 'a2', { status: 'streaming' })];
    const stored = JSON.parse(JSON.stringify(toStored(turns)));
    assert.equal(stored.version, STORE_VERSION);
    const back = readStored(stored);
    assert.deepEqual(back.map((t) => [t.user, t.status]), [['q1', 'done'], ['q2', 'stopped']]);
    for (const bad of [undefined, null, 5, { version: 99, turns: [] }, { version: STORE_VERSION, turns: 'x' }]) assert.deepEqual(readStored(bad), []);
    assert.deepEqual(readStored({ version: STORE_VERSION, turns: [{ id: 1 }, ...stored.turns] }).length, 2, 'a damaged turn is skipped');
    const many = Array.from({ length: 30 }, (_, i) => turn(`q${i}`, 'x'.repeat(100)));
    assert.deepEqual(toStored(many, { turns: 10, chars: 1e6 }).turns.map((t) => t.user), many.slice(20).map((t) => t.user));
    assert.equal(toStored(many, { turns: 100, chars: 520 }).turns.length, 5, 'newest turns within the character bound');
    const huge = toStored([turn('q', 'a', { attachments: [{ kind: 'file', path: 'f', language: '', text: 'y'.repeat(2000) }] })], { turns: 10, chars: 1000 });
    assert.equal(huge.turns[0].attachments[0].text, '', 'one turn too large alone keeps its question, not the attached text');
  });

  it('the prompt budget leaves room for the reply as the host does', () => {
    assert.equal(promptBudget(2048, 128), 1920);
    assert.equal(promptBudget(128, 500), 1);
    assert.equal(droppedNote(2, 2048), '2 earlier turns left out to fit 2,048 tokens');
    assert.equal(droppedNote(1, 128), '1 earlier turn left out to fit 128 tokens');
    assert.equal(droppedNote(0, 128), undefined);
  });
});

describe('chat: panel messages are checked before the extension acts on them', () => {
  it('accepts the chat requests and refuses malformed ones, naming the request', () => {
    const send = parsePanelMessage({ type: 'chatSend', text: 'hi', options: { maxNewTokens: 5 } });
    assert.ok(send.type === 'chatSend' && send.text === 'hi' && send.options.maxNewTokens === 5);
    assert.deepEqual(parsePanelMessage({ type: 'chatAttach', what: 'file' }), { type: 'chatAttach', what: 'file' });
    assert.deepEqual(parsePanelMessage({ type: 'chatDetach', index: 2 }), { type: 'chatDetach', index: 2 });
    assert.deepEqual(parsePanelMessage({ type: 'apply', text: 'x = 1\n' }), { type: 'apply', text: 'x = 1\n' });
    for (const t of ['chatStop', 'chatClear'] as const) assert.deepEqual(parsePanelMessage({ type: t }), { type: t });
    const bad: unknown[] = [
      { type: 'chatSend', text: '   ', options: {} },
      { type: 'chatSend', text: 'x'.repeat(200_001), options: {} },
      { type: 'chatSend', text: 'hi', options: { topP: 2 } },
      { type: 'chatEdit', text: 5, options: {} },
      { type: 'chatAttach', what: '../../etc/passwd' },
      { type: 'chatDetach', index: -1 },
      { type: 'chatDetach', index: 1.5 },
      { type: 'apply' },
    ];
    for (const m of bad) {
      assert.throws(() => parsePanelMessage(m), (e: unknown) => e instanceof HostError && e.code === 'BAD_REQUEST', JSON.stringify(m).slice(0, 60));
      assert.equal(requestOf(m), (m as { type: string }).type, 'the rejection answers the request it was meant to be');
    }
  });
});

describe('chat: fitting by the model\'s tokenizer (real host)', function () {
  this.timeout(120_000);
  let client: HostClient;
  before(() => (client = newClient()));
  after(() => client.dispose());
  const count = async (messages: ChatMessage[]) => (await client.request('countTokens', { modelPath: QWEN, messages })).messages!;

  it('countTokens counts the rendered template as generate does, and says the window and whether the model chats', async () => {
    const messages: ChatMessage[] = [{ role: 'user', content: 'hi' }];
    const c = await client.request('countTokens', { modelPath: QWEN, messages, texts: ['def f():', ''] });
    assert.equal(c.chat, true);
    assert.equal(c.contextLength, 128);
    assert.deepEqual(c.texts.length, 2);
    assert.equal(c.texts[1], 0);
    const g = await client.request('generate', { modelPath: QWEN, prompt: '', messages, options: { maxNewTokens: 1 } });
    assert.equal(g.stats.promptTokens, c.messages);
    const plain = await client.request('countTokens', { modelPath: fixture('tiny-gpt2'), texts: [] });
    assert.equal(plain.chat, false);
  });

  it('drops the oldest turns until the conversation fits, keeping the system prompt and the last question', async () => {
    const long = 'the quick brown fox jumps over the lazy dog '.repeat(2);
    const turns = [turn(`one ${long}`, `a ${long}`), turn(`two ${long}`, `b ${long}`), turn(`three ${long}`, `c ${long}`), turn('last question', '', { status: 'streaming' })];
    const budget = promptBudget(128, 32);
    const total = await count(promptMessages('sys', turns));
    assert.ok(total > budget, `the fixture conversation is over the budget (${total} > ${budget})`);
    const fitted = await fitConversation('sys', turns, budget, count, 128);
    assert.ok(fitted.dropped >= 1 && fitted.dropped <= 3, `dropped ${fitted.dropped}`);
    assert.ok(fitted.tokens <= budget);
    assert.equal(fitted.tokens, await count(fitted.messages));
    assert.deepEqual(fitted.messages[0], { role: 'system', content: 'sys' });
    assert.deepEqual(fitted.messages.at(-1), { role: 'user', content: 'last question' });
    // One more turn would not fit: the cut is the longest tail that does.
    const oneMore = promptMessages('sys', turns.slice(fitted.dropped - 1));
    assert.ok((await count(oneMore)) > budget);
    // The host generates from it without cutting anything.
    const g = await client.request('generate', { modelPath: QWEN, prompt: '', messages: fitted.messages, options: { maxNewTokens: 32 } });
    assert.equal(g.stats.truncatedTokens, 0);
  });

  it('a last question too long alone is refused with its size, not cut', async () => {
    const turns = [turn('x '.repeat(300), '', { status: 'streaming' })];
    const e = await rejection(fitConversation('sys', turns, 96, count, 128));
    assert.ok(e instanceof PromptTooLongError);
    assert.match(e.message, /the model's window is 128 tokens, 96 of them for the prompt/);
  });
});

describe('chat: replies from the scripted instruct fixture (real tokenizer, template, host, streaming)', function () {
  this.timeout(120_000);
  let client: HostClient;
  let dir: string;
  before(() => {
    dir = makeScriptedChatModel(fs.mkdtempSync(path.join(os.tmpdir(), 'scripted-chat-')));
    client = newClient();
  });
  after(async () => {
    await client.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('two turns: each reply is the scripted Markdown with a ```python block, streamed piece by piece', async () => {
    const turns: ChatTurn[] = [];
    for (const q of ['write add', 'again please']) {
      turns.push(turn(q, '', { status: 'streaming' }));
      const pieces: string[] = [];
      const r = await client.request('generate', { modelPath: dir, prompt: '', messages: promptMessages('sys', turns), options: { maxNewTokens: 64 } }, { onEvent: (e) => pieces.push(e.text) });
      assert.equal(r.texts[0], CODE_REPLY.join(''));
      assert.equal(pieces.join(''), r.texts[0]);
      assert.ok(pieces.length >= CODE_REPLY.length - 1, 'streamed in pieces');
      assert.equal(r.stopReasons[0], 'eos');
      assert.ok(r.texts[0].includes('```python\n' + CODE_BLOCK + '```'));
      turns[turns.length - 1].reply = r.texts[0];
    }
  });

  it('stop mid-stream: the reply ends cancelled after some text, and the host answers the next question', async () => {
    const ac = new AbortController();
    let streamed = '';
    const run = client.request('generate', { modelPath: dir, prompt: '', messages: [{ role: 'user', content: `count ${FOREVER}` }], options: { maxNewTokens: 32_000 } }, {
      signal: ac.signal,
      onEvent: (e) => {
        streamed += e.text;
        // Stop once some text has arrived: the endless reply cannot have ended by itself.
        if (streamed.includes('tock')) ac.abort();
      },
    });
    const e = await rejection(run);
    assert.equal(e.code, 'CANCELLED');
    assert.match(streamed, /^tick tock /);
    const next = await client.request('generate', { modelPath: dir, prompt: '', messages: [{ role: 'user', content: 'and now?' }], options: { maxNewTokens: 64 } });
    assert.equal(next.texts[0], CODE_REPLY.join(''));
  });
});
