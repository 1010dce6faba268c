/** How the status bar and Show Host Status describe a remote role (plain text, no vscode import). */
import type { RemoteRoleStatus } from './remoteBackends';

const ROLE = { completion: 'inline completion', chat: 'generation and chat' } as const;

/** Short: `llamacpp` or `ollama:qwen2.5-coder:7b-base`. */
export function remoteShort(s: RemoteRoleStatus): string {
  return s.model ? `${s.backend}:${s.model}` : s.backend;
}

/** One line per fact, for Show Host Status and the tooltip. */
export function remoteLines(s: RemoteRoleStatus): string[] {
  const lines = [`${ROLE[s.role]}: ${s.backend} at ${s.endpoint || '(no endpoint set)'}${s.model ? `, model ${s.model}` : ''}`];
  if (s.lastError) lines.push(`  last error (${s.lastError.at.toLocaleTimeString()}): ${s.lastError.message}`);
  else if (s.lastOkAt) lines.push(`  last request succeeded at ${s.lastOkAt.toLocaleTimeString()}`);
  else lines.push('  no request yet');
  return lines;
}
