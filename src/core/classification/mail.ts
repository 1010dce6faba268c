/**
 * E-mail as the spam classifier reads it. A raw RFC 822 message (a `.eml` file, a pasted
 * message with every header and MIME part) is parsed with mailparser (headers, multipart,
 * quoted-printable and base64, charsets, HTML to text) and presented the way the shipped model
 * was trained (tools/eval/spamData.ts `mailText`): the Subject, From and Content-Type headers,
 * a blank line, then the readable body. Fed unparsed, the model sees encoded parts and a wall of
 * Received headers it never trained on, and a raw spam mail comes out ham.
 */
import { readFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { ParsedMail } from 'mailparser';
import type { ClassifyTexts } from './batch';
import type { ClassifierSpec } from './classifier';

/** The training form's length cap: longer text would be cut by the 512-token model anyway. */
export const MAIL_TEXT_CHARS = 4000;

/** Headers whose presence says "this is a mail", not just "Note: ..." prose. */
const MAIL_HEADERS = new Set(['from', 'to', 'subject', 'date', 'received', 'message-id', 'mime-version', 'return-path', 'delivered-to', 'reply-to', 'content-type', 'cc']);

/** A header field name (RFC 5322: printable ASCII other than the colon) before the colon, or undefined. */
function headerName(line: string): string | undefined {
  const colon = line.indexOf(':');
  if (colon <= 0) return undefined;
  const name = line.slice(0, colon);
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c <= 32 || c >= 127) return undefined;
  }
  return name.toLowerCase();
}

/** The headers the training form keeps: a text with only these is already in the model's form. */
const TRAINING_FORM_HEADERS = new Set(['subject', 'from', 'content-type']);

/**
 * Whether a text is a raw message: it opens with a header block (an mbox "From " line allowed
 * first) of at least two mail headers, ended by a blank line or the text's end, with some header
 * the training form drops (so text already in that form, like the eval's, is left as it is).
 */
export function isRawMail(text: string): boolean {
  const lines = text.slice(0, 64 * 1024).split(/\r?\n/);
  let i = lines[0]?.startsWith('From ') ? 1 : 0;
  let fields = 0;
  let known = 0;
  let dropped = 0;
  for (; i < lines.length && lines[i] !== ''; i++) {
    const line = lines[i];
    if ((line[0] === ' ' || line[0] === '\t') && fields > 0) continue; // folded continuation
    const name = headerName(line);
    if (name === undefined) return false;
    fields++;
    if (MAIL_HEADERS.has(name)) known++;
    if (!TRAINING_FORM_HEADERS.has(name)) dropped++;
  }
  return known >= 2 && dropped >= 1;
}

/** A header's raw line with its folding undone, or undefined. */
function headerLine(mail: ParsedMail, key: string): string | undefined {
  return mail.headerLines.find((h) => h.key === key)?.line.replace(/\r?\n[ \t]+/g, ' ');
}

/** Whitespace as the training text has it: runs of spaces and tabs as one, no blank lines. */
function tidy(text: string): string {
  return text
    .split(/\r?\n/)
    .map((l) => l.replace(/[ \t\u00a0]+/g, ' ').trim())
    .filter(Boolean)
    .join('\n');
}

export interface MailParts {
  subject: string;
  /** The readable body: the text part, or the HTML part turned into text. */
  body: string;
  /** The HTML part's source, when there is one. */
  html?: string;
  /** The training form: Subject, From and Content-Type headers, a blank line, the body. */
  modelText: string;
}

/** Text only: no HTML made from text parts, no link or image markup. */
const OPTIONS = { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true };

/** Parses a raw message (text or the file's bytes, so that 8-bit charsets decode as declared). */
export async function parseMail(raw: string | Buffer): Promise<MailParts> {
  // Loaded on first use: the parser and its charset tables stay out of the extension's activation.
  const { simpleParser } = await import('mailparser');
  const mail = await simpleParser(raw, OPTIONS);
  const subject = mail.subject ?? '';
  const html = typeof mail.html === 'string' ? mail.html : undefined;
  let text = mail.text ?? '';
  // mailparser turns HTML into text only for a root HTML part or beside a text part; a lone HTML
  // part inside multipart/mixed (common in spam) comes back with no text. Parse it as a root part.
  if (!text.trim() && html) text = (await simpleParser(`Content-Type: text/html; charset=utf-8\r\n\r\n${html}`, OPTIONS)).text ?? '';
  const body = tidy(text);
  const headers = [subject ? `Subject: ${subject}` : undefined, headerLine(mail, 'from'), headerLine(mail, 'content-type')].filter((h) => h !== undefined);
  return {
    subject,
    body,
    html,
    modelText: `${headers.join('\n')}\n\n${body}`.slice(0, MAIL_TEXT_CHARS),
  };
}

/** The text to classify: a raw message's training form, any other text unchanged. */
export async function classifierText(text: string): Promise<string> {
  return isRawMail(text) ? (await parseMail(text)).modelText : text;
}

/** An `.eml` file read as bytes and parsed (whatever its first lines look like). */
export async function mailFileText(file: string): Promise<string> {
  return (await parseMail(await fs.readFile(file))).modelText;
}

/**
 * Whether a model folder is a mail classifier (a label named spam): those get raw messages
 * parsed. Other models (code-language, a user's own) see the text exactly as given.
 */
export function isMailClassifier(modelPath: string): boolean {
  try {
    const config = JSON.parse(readFileSync(path.join(modelPath, 'config.json'), 'utf8')) as { id2label?: Record<string, unknown> };
    return Object.values(config.id2label ?? {}).some((l) => typeof l === 'string' && l.toLowerCase() === 'spam');
  } catch {
    return false;
  }
}

/** A classifier that parses the raw messages among its texts first (what Classify does for mail). */
export function mailAware(classify: ClassifyTexts): ClassifyTexts {
  return async (texts) => classify(await Promise.all(texts.map(classifierText)));
}

/** `classify` as a classifier spec should see mail: parsed for a mail classifier, unchanged for zero-shot and others. */
export function classifyForSpec(spec: ClassifierSpec, classify: ClassifyTexts): ClassifyTexts {
  return !spec.labels && isMailClassifier(spec.modelPath) ? mailAware(classify) : classify;
}
