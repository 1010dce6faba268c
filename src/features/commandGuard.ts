/** Wraps a command: failures are reported once to the user; programmatic callers also get the error. */
import type { Assistant } from './assistant';

export function guarded<A extends unknown[], R>(
  assistant: Assistant,
  what: string,
  fn: (...args: A) => Promise<R>,
  programmatic: (args: A) => boolean,
): (...args: A) => Promise<R | undefined> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (e) {
      void assistant.reportToUser(what, e);
      // Tests and other extensions that pass arguments get the error as well as the notification.
      if (programmatic(args)) throw e;
      return undefined;
    }
  };
}
