// An ESLint rule that keeps src/'s layers apart (see the README's architecture section): an
// import that points the wrong way fails `npm run lint`, and so `npm test`.
import * as path from 'node:path';

const SRC = path.resolve(import.meta.dirname, '..', '..', 'src');

/** Which folders each layer may import from (relative imports, resolved); `vscode` only where said. */
const LAYERS = {
  protocol: { may: ['protocol'], vscode: false },
  host: { may: ['host', 'protocol'], vscode: false },
  client: { may: ['client', 'protocol'], vscode: false },
  core: { may: ['core', 'client', 'protocol'], vscode: false },
  server: { may: ['server', 'core', 'client', 'protocol'], vscode: false },
  cli: { may: ['cli', 'server', 'core', 'client', 'protocol'], vscode: false },
  vscode: { may: ['vscode', 'core', 'client', 'protocol'], vscode: true },
};

/** The folder a module may reach although it sits in another layer, and why. */
const EXCEPTIONS = [
  // What a model folder is for, decided by reading its files (no onnxruntime): the pickers need it
  // before any host runs.
  { from: ['vscode', 'cli'], to: 'host/models/kind' },
];

const layerOf = (file) => {
  const rel = path.relative(SRC, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep)[0];
};

export const layers = {
  meta: { type: 'problem', messages: { wrongWay: '{{from}}/ may not import {{to}} ({{spec}}): {{why}}' } },
  create(context) {
    const file = context.filename;
    const from = layerOf(file);
    const rules = from && LAYERS[from];
    if (!rules) return {};
    const check = (node, spec) => {
      if (typeof spec !== 'string') return;
      if (spec === 'vscode') {
        if (!rules.vscode) context.report({ node, messageId: 'wrongWay', data: { from, to: 'vscode', spec, why: "only src/vscode/ imports 'vscode'" } });
        return;
      }
      if (!spec.startsWith('.')) return;
      const target = path.resolve(path.dirname(file), spec);
      const to = layerOf(target);
      if (!to) {
        context.report({ node, messageId: 'wrongWay', data: { from, to: 'outside src/', spec, why: 'the product never reaches into tools/ or test/' } });
        return;
      }
      if (rules.may.includes(to)) return;
      const rel = path.relative(SRC, target).split(path.sep).join('/');
      if (EXCEPTIONS.some((e) => e.from.includes(from) && rel === e.to)) return;
      context.report({ node, messageId: 'wrongWay', data: { from, to: `${to}/`, spec, why: `${from}/ may import ${rules.may.map((m) => `${m}/`).join(', ')}` } });
    };
    return {
      ImportDeclaration: (n) => check(n, n.source.value),
      ExportNamedDeclaration: (n) => n.source && check(n, n.source.value),
      ExportAllDeclaration: (n) => check(n, n.source.value),
      ImportExpression: (n) => n.source.type === 'Literal' && check(n, n.source.value),
      CallExpression: (n) => {
        if (n.callee.type === 'Identifier' && n.callee.name === 'require' && n.arguments[0]?.type === 'Literal') check(n, n.arguments[0].value);
      },
    };
  },
};
