/** Where downloaded models live: ONNX_ASSIST_CACHE, else the platform's user cache folder. */
import * as os from 'node:os';
import * as path from 'node:path';

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform, home = os.homedir()): string {
  if (env.ONNX_ASSIST_CACHE) return env.ONNX_ASSIST_CACHE;
  if (platform === 'win32') return path.join(env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'onnx-assist', 'models');
  if (platform === 'darwin') return path.join(home, 'Library', 'Caches', 'onnx-assist', 'models');
  return path.join(env.XDG_CACHE_HOME ?? path.join(home, '.cache'), 'onnx-assist', 'models');
}
