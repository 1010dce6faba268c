/**
 * Model replies as Markdown in the webview: markdown-it with raw HTML off, then DOMPurify over
 * what it produced, so nothing the model writes becomes markup of its own (two locks: either
 * alone would do). Code is highlighted by highlight.js's core with a handful of languages, to
 * keep the panel's script small; an unknown language is shown plain.
 */
import DOMPurify from 'dompurify';
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import cpp from 'highlight.js/lib/languages/cpp';
import css from 'highlight.js/lib/languages/css';
import go from 'highlight.js/lib/languages/go';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import python from 'highlight.js/lib/languages/python';
import rust from 'highlight.js/lib/languages/rust';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import MarkdownIt from 'markdown-it';

for (const [name, lang] of Object.entries({ bash, cpp, css, go, java, javascript, json, python, rust, typescript, xml })) hljs.registerLanguage(name, lang);
hljs.registerAliases(['sh', 'shell', 'zsh'], { languageName: 'bash' });
hljs.registerAliases(['c', 'h', 'hpp', 'cc'], { languageName: 'cpp' });
hljs.registerAliases(['html', 'svg'], { languageName: 'xml' });
hljs.registerAliases(['py'], { languageName: 'python' });
hljs.registerAliases(['ts', 'tsx', 'typescriptreact'], { languageName: 'typescript' });
hljs.registerAliases(['js', 'jsx', 'javascriptreact', 'mjs', 'cjs'], { languageName: 'javascript' });
hljs.registerAliases(['rs'], { languageName: 'rust' });
hljs.registerAliases(['jsonc'], { languageName: 'json' });

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const md = new MarkdownIt({
  html: false,
  linkify: false,
  breaks: false,
  highlight: (code, lang) => {
    const l = lang.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
    if (l && hljs.getLanguage(l)) return hljs.highlight(code, { language: l, ignoreIllegals: true }).value;
    return escape(code);
  },
});
// Images would be fetched from wherever the model points (the CSP blocks them anyway): text only.
md.disable(['image']);

/** A fenced code block of the reply: its language and exact text (what Copy, Insert and Apply use). */
export interface CodeBlock {
  lang: string;
  code: string;
}

export interface RenderedMarkdown {
  /** Sanitised HTML; each code block is a `pre` with `data-block` = its index in `blocks`. */
  html: string;
  blocks: CodeBlock[];
}

// Each fence's <pre> carries its index, so the panel can put its buttons beside the right text.
const fence = md.renderer.rules.fence!;
md.renderer.rules.fence = (tokens, idx, options, env, self) => {
  const t = tokens[idx];
  const blocks = (env as { blocks?: CodeBlock[] } | undefined)?.blocks;
  if (!blocks) return fence(tokens, idx, options, env, self);
  blocks.push({ lang: t.info.trim().split(/\s+/)[0] ?? '', code: t.content });
  return fence(tokens, idx, options, env, self).replace(/^<pre/, `<pre data-block="${blocks.length - 1}"`);
};

export function renderMarkdown(text: string): RenderedMarkdown {
  const env = { blocks: [] as CodeBlock[] };
  const raw = md.render(text, env);
  // No forms, styles or scripts whatever markdown-it let through; links stay text-like (the panel intercepts clicks).
  const html = DOMPurify.sanitize(raw, { FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'img', 'iframe', 'object', 'embed'], FORBID_ATTR: ['style'] });
  return { html, blocks: env.blocks };
}
