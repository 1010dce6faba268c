/**
 * Wraps a command: failures are reported once to the user, with the actions that can help (Retry
 * runs it again with the same arguments); programmatic callers also get the error.
 */
import type { Assistant } from './assistant';

export function guarded<A extends unknown[], R>(
  assistant: Assistant,
  what: string,
  fn: (...args: A) => Promise<R>,
  programmatic: (args: A) => boolean,
): (...args: A) => Promise<R | undefined> {
  const wrapped = async (...args: A): Promise<R | undefined> => {
    try {
      return await fn(...args);
    } catch (e) {
      // Retry runs the command again as it was, reporting again if it fails again.
      void assistant.reportToUser(what, e, () => wrapped(...args));
      // Tests and other extensions that pass arguments get the error as well as the notification.
      if (programmatic(args)) throw e;
      return undefined;
    }
  };
  return wrapped;
}
