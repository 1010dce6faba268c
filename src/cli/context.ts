/**
 * What every command is handed: the terminal, the flags, Ctrl+C and (for commands that run a
 * model) the host, all decided once in main, so that a command is one function of one argument
 * and a test can drive it without a process.
 */
import type { Readable } from 'node:stream';
import type { HostClient } from '../client/hostClient';
import type { Values } from './args';

export interface CliIO {
  out(s: string): void;
  err(s: string): void;
  /** What `--prompt-file -` and `--text-file -` read; process.stdin when absent. */
  stdin?: Readable;
}

export interface CommandContext {
  v: Values;
  io: CliIO;
  /** --json: one JSON document on stdout instead of text. */
  json: boolean;
  /** Aborted by the first Ctrl+C. */
  signal: AbortSignal;
  /** The positional arguments after the command name (only `pull` takes one). */
  operands: string[];
}

/** For the commands that run a model: main starts the host for them and ends it after. */
export interface HostContext extends CommandContext {
  client: HostClient;
}
