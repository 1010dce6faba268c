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
import { tryLock } from '../processLock';
import { DataFileError } from './records';

/** A DataFileError, so every surface shows it as a plain one-line message. */
export class TargetBusyError extends DataFileError {}

export interface TargetClaim {
  readonly target: string;
  /** A temporary path beside the target, unique to this run. */
  readonly temp: string;
  /** Renames the temporary file onto the target and releases the lock. */
  commit(): void;
  /** Removes the temporary file (if any) and releases the lock; the target is untouched. */
  abandon(): void;
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
  const lock = tryLock(`${target}.lock`, what);
  if (!lock.acquired) {
    const o = lock.owner;
    const by = o ? `${o.what} (pid ${o.pid}${o.host === os.hostname() ? '' : ` on ${o.host}`}, started ${o.started})` : 'another run';
    throw new TargetBusyError(`${path.basename(target)} is being written by ${by}. Wait for it to finish or stop it; if no such run exists, delete ${path.basename(target)}.lock.`);
  }
  // A run killed mid-write left its temporary file: remove it with its lock.
  if (lock.tookOverFrom) removeTemps(target, lock.tookOverFrom.pid);
  const temp = path.join(path.dirname(target), `${tempPrefix(target, process.pid)}${crypto.randomBytes(4).toString('hex')}.partial`);
  const release = lock.release;
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
