/** Where downloaded models live: ONNX_ASSIST_CACHE, else the platform's user cache folder. */
import * as os from 'node:os';
import * as path from 'node:path';

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform, home = os.homedir()): string {
  if (env.ONNX_ASSIST_CACHE) return env.ONNX_ASSIST_CACHE;
  if (platform === 'win32') return path.join(env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'onnx-assist', 'models');
  if (platform === 'darwin') return path.join(home, 'Library', 'Caches', 'onnx-assist', 'models');
  return path.join(env.XDG_CACHE_HOME ?? path.join(home, '.cache'), 'onnx-assist', 'models');
}

/** A model folder's name for people: "owner/name (dtype)" for downloads, else the folder name. */
export function modelDisplayName(dir: string): string {
  const m = /([^/\\]+)--([^/\\]+)[/\\]snapshots[/\\][0-9a-f]{7,64}[/\\](\w+)[/\\]?$/.exec(dir);
  if (m) return `${m[2]} (${m[3]})`;
  return path.basename(dir.replace(/[/\\]+$/, ''), '.json');
}
