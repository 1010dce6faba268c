/**
 * The one contract between the extension (or CLI), the inference host and the webview, under one
 * import name. The definitions live by concern: models.ts (load, providers, status), generation.ts,
 * classification.ts, methods.ts (the method table), messages.ts (the envelope), errors.ts.
 * No `vscode` import here: the host and the CLI share it.
 */

export * from './models';
export * from './generation';
export * from './classification';
export type { Method, ParamsOf, ResultOf } from './methods';
export type { ClientMessage, HostEvent, HostMessage } from './messages';
export type { CancelTrace, ErrorCode, WireError } from './errors';
export type { CompletionCountsWire } from './webview';
