/**
 * Every write of a file the user owns (classified outputs, taught classifiers, reports) goes
 * through here, from the extension and the CLI alike. A lock beside the target names the live
 * run that writes it, so a second run refuses with that name instead of interleaving; the data
 * goes to a temporary file unique to this run and is renamed into place when complete, so a
 * failed or cancelled run leaves the target as it was.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataFileError } from './records';

/** A DataFileError, so every surface shows it as a plain one-line message. */
export class TargetBusyError extends DataFileError {}

interface LockInfo {
  pid: number;
  /** Tells two runs in one process (two commands in one extension host) apart. */
  token: string;
  host: string;
  what: string;
  started: string;
}

export interface TargetClaim {
  readonly target: string;
  /** A temporary path beside the target, unique to this run. */
  readonly temp: string;
  /** Renames the temporary file onto the target and releases the lock. */
  commit(): void;
  /** Removes the temporary file (if any) and releases the lock; the target is untouched. */
  abandon(): void;
}

const lockPath = (target: string) => `${target}.lock`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(file: string): LockInfo | undefined {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LockInfo>;
    return typeof v.pid === 'number' && typeof v.host === 'string' ? (v as LockInfo) : undefined;
  } catch {
    return undefined;
  }
}

/** A lock whose owner is gone (dead process on this machine, or unreadable) can be taken over. */
function stale(info: LockInfo | undefined): boolean {
  if (!info) return true;
  return info.host === os.hostname() && !alive(info.pid);
}

/** Temporary files carry the writer's pid, so a later run can clear those of a dead writer. */
const tempPrefix = (target: string, pid: number) => `.${path.basename(target)}.${pid}-`;

function removeTemps(target: string, pid: number): void {
  const prefix = tempPrefix(target, pid);
  const dir = path.dirname(target);
  for (const f of fs.readdirSync(dir)) if (f.startsWith(prefix) && f.endsWith('.partial')) fs.rmSync(path.join(dir, f), { force: true });
}

/**
 * Claims `target` for this run (`what` says what the run is, for the other run's message).
 * Throws TargetBusyError naming the live run that holds it.
 */
export function claimTarget(target: string, what: string): TargetClaim {
  const lock = lockPath(target);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const mine: LockInfo = { pid: process.pid, token: crypto.randomBytes(8).toString('hex'), host: os.hostname(), what, started: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      fs.writeFileSync(lock, JSON.stringify(mine), { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
      const held = readLock(lock);
      if (!stale(held)) {
        const by = held ? `${held.what} (pid ${held.pid}${held.host === os.hostname() ? '' : ` on ${held.host}`}, started ${held.started})` : 'another run';
        throw new TargetBusyError(`${path.basename(target)} is being written by ${by}. Wait for it to finish or stop it; if no such run exists, delete ${path.basename(lock)}.`);
      }
      // Its owner is gone (killed mid-run): take the lock over and remove that run's temporary file.
      if (held) removeTemps(target, held.pid);
      fs.rmSync(lock, { force: true });
    }
  }
  const temp = path.join(path.dirname(target), `${tempPrefix(target, process.pid)}${crypto.randomBytes(4).toString('hex')}.partial`);
  let done = false;
  const release = () => {
    if (done) return;
    done = true;
    // Only our own lock: a stale-lock takeover by someone else must not be undone.
    if (readLock(lock)?.token === mine.token) fs.rmSync(lock, { force: true });
  };
  return {
    target,
    temp,
    commit: () => {
      try {
        fs.renameSync(temp, target);
      } finally {
        release();
      }
    },
    abandon: () => {
      fs.rmSync(temp, { force: true });
      release();
    },
  };
}

/** Writes `text` to `target` whole or not at all, refusing while another live run writes it. */
export function writeUserFile(target: string, text: string, what: string): void {
  const claim = claimTarget(target, what);
  try {
    fs.writeFileSync(claim.temp, text);
    claim.commit();
  } catch (e) {
    claim.abandon();
    throw e;
  }
}
