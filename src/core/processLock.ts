/**
 * A lock file that names its owner (pid, machine, what it is doing) and is taken over when that
 * owner has died. Hub downloads wait on it; writers of user files refuse while it is held.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface LockOwner {
  pid: number;
  host: string;
  /** Tells two holders in one process (two commands in one extension host) apart. */
  token: string;
  what: string;
  started: string;
}

export type LockAttempt =
  | { acquired: true; release(): void; /** The dead owner whose lock was taken over. */ tookOverFrom?: LockOwner }
  | { acquired: false; owner?: LockOwner };

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(file: string): LockOwner | undefined {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LockOwner>;
    return typeof v.pid === 'number' && typeof v.host === 'string' ? (v as LockOwner) : undefined;
  } catch {
    return undefined; // damaged: treated as held
  }
}

/** One attempt to take `file`; a lock whose owner died on this machine is taken over. */
export function tryLock(file: string, what: string): LockAttempt {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const mine: LockOwner = { pid: process.pid, host: os.hostname(), token: crypto.randomBytes(8).toString('hex'), what, started: new Date().toISOString() };
  let tookOverFrom: LockOwner | undefined;
  // The lock appears with its owner already written (a full file hard-linked into place, which
  // fails if the lock exists), so no one ever reads an empty lock and cannot say who holds it.
  const staged = `${file}.${mine.token}`;
  fs.writeFileSync(staged, JSON.stringify(mine));
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        fs.linkSync(staged, file);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
        const owner = readOwner(file);
        if (!owner || owner.host !== os.hostname() || alive(owner.pid)) return { acquired: false, owner };
        tookOverFrom = owner;
        fs.rmSync(file, { force: true });
      }
    }
  } finally {
    fs.rmSync(staged, { force: true });
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    // Only our own lock: one taken over after we were presumed dead is not ours to remove.
    if (readOwner(file)?.token === mine.token) fs.rmSync(file, { force: true });
  };
  return { acquired: true, release, tookOverFrom };
}
