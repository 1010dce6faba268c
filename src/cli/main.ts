/**
 * `onnx-assist`: the same inference host as the extension, from a terminal. This module is what
 * every command shares, decided once: the command table, the host's lifetime, Ctrl+C, and the
 * exit status (0 done, 1 failed, 2 usage error: the command line is wrong, 130 interrupted).
 * The flags are in args.ts (with the help text), each command in commands/.
 */
import { defaultWorkerPath, HostClient } from '../client/hostClient';
import { CancelledError } from '../core/classification/batch';
import { DataFileError } from '../core/classification/records';
import { HubError } from '../core/hub/names';
import { HostError } from '../protocol/errors';
import { CliFailure, parseCommandLine, USAGE, UsageError } from './args';
import type { CliIO, CommandContext, HostContext } from './context';
import { chat } from './commands/chat';
import { classify } from './commands/classify';
import { runDemo } from './commands/demo';
import { embed } from './commands/embed';
import { evaluate } from './commands/eval';
import { generate } from './commands/generate';
import { models, pull } from './commands/hub';
import { serve } from './commands/serve';
import { status } from './commands/status';
import { teach } from './commands/teach';

export { CliFailure, UsageError } from './args';
export type { CliIO } from './context';
export { demo, type DemoResult } from './commands/demo';

/**
 * A command: run with the host (a model) or without (downloads and the cache need none, so they
 * start no worker); `operands` is how many positional arguments it takes after its name.
 */
type Command = ({ host: true; run(ctx: HostContext): Promise<void> } | { host: false; run(ctx: CommandContext): Promise<void> }) & { operands?: number };

const COMMANDS: Record<string, Command> = {
  generate: { host: true, run: generate },
  chat: { host: true, run: chat },
  classify: { host: true, run: classify },
  teach: { host: true, run: teach },
  embed: { host: true, run: embed },
  status: { host: true, run: status },
  eval: { host: true, run: evaluate },
  pull: { host: false, run: pull, operands: 1 },
  models: { host: false, run: models },
  demo: { host: true, run: runDemo },
  serve: { host: true, run: serve },
};

const stdio: CliIO = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

/**
 * Ctrl+C. The first asks the command to stop after the current step and says so at once: the
 * host is a worker thread, and a worker cannot be ended while onnxruntime is inside
 * session.run (the process aborts with SIGABRT). The second quits at once by re-raising SIGINT
 * with no handler: process.exit() would first wait for the worker's step and then abort the same
 * way (measured: status 134 after the step), while death by SIGINT is immediate, runs no exit
 * handlers and gives the conventional status 130 in the shell.
 */
function onInterrupt(io: CliIO, ac: AbortController): () => void {
  const handler = () => {
    if (!ac.signal.aborted) {
      io.err('\nonnx-assist: stopping after the current step; press Ctrl+C again to quit now\n');
      ac.abort();
      return;
    }
    process.removeListener('SIGINT', handler);
    process.kill(process.pid, 'SIGINT');
  };
  process.on('SIGINT', handler);
  return () => process.removeListener('SIGINT', handler);
}

/** Exit status and the one line the user sees: 2 for a wrong command line, 1 for anything that failed. */
function describe(e: unknown): { message: string; code: number } {
  if (e instanceof UsageError) return { message: e.message, code: 2 };
  if (e instanceof HostError) return { message: `${e.code}: ${e.message}`, code: 1 };
  if (e instanceof DataFileError || e instanceof CancelledError || e instanceof HubError || e instanceof CliFailure) return { message: e.message, code: 1 };
  // A system error (a file that cannot be written, ...) is one line; anything else is a bug, with its stack.
  const errno = (e as NodeJS.ErrnoException | undefined)?.code;
  if (typeof errno === 'string' && /^E[A-Z]+$/.test(errno)) return { message: (e as Error).message, code: 1 };
  return { message: String((e as Error | undefined)?.stack ?? e), code: 1 };
}

export async function main(argv: string[], io: CliIO = stdio): Promise<number> {
  let client: HostClient | undefined;
  let json = false;
  const ac = new AbortController();
  const stopListening = onInterrupt(io, ac);
  const signal = ac.signal;
  try {
    const { values: v, positionals } = parseCommandLine(argv);
    json = !!v.json;
    const [name, ...rest] = positionals;
    if (v.help || !name) {
      if (v.help) io.out(`${USAGE}\n`);
      else io.err(`${USAGE}\n`);
      return v.help ? 0 : 2;
    }
    const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    const operands = rest.splice(0, command?.operands ?? 0);
    if (rest.length) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}`);
    if (!command) throw new UsageError(`unknown command ${JSON.stringify(name)}; commands: ${Object.keys(COMMANDS).join(', ')}`);
    const ctx: CommandContext = { v, io, json, signal, operands };
    if (!command.host) await command.run(ctx);
    else {
      client = new HostClient({ workerPath: defaultWorkerPath(__dirname) });
      await command.run({ ...ctx, client });
    }
    return 0;
  } catch (e) {
    if (signal.aborted) {
      // Ctrl+C: whatever the interrupted step threw, the user stopped it.
      if (json) io.out(`${JSON.stringify({ error: { code: 'CANCELLED', message: 'Stopped by Ctrl+C.' } })}\n`);
      io.err('onnx-assist: stopped (Ctrl+C)\n');
      return 130;
    }
    const { message, code } = describe(e);
    if (json && code !== 2) io.out(`${JSON.stringify({ error: e instanceof HostError ? e.toWire() : { code: 'INTERNAL', message: String(e) } })}\n`);
    io.err(`onnx-assist: ${message}\n`);
    return code;
  } finally {
    // Wait for the host's current step however long it takes: ending a worker inside a run aborts
    // the process, and a second Ctrl+C still quits at once.
    await client?.dispose(Infinity);
    stopListening();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      process.stderr.write(`onnx-assist: ${String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
