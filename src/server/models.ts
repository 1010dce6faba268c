/**
 * The models a server serves: only the folders given at start, each under an id (`name=DIR`, or
 * the folder's name). A request names a model by id; it can never name a path.
 */
import * as path from 'node:path';
import type { HostClient } from '../client/hostClient';
import type { ModelInfo } from '../protocol/types';
import { ApiError } from './apiError';

export interface ServedModel {
  id: string;
  path: string;
  info: ModelInfo;
}

/** `name=DIR` or `DIR` (the id is then the folder's name). */
export function parseModelSpec(spec: string): { id: string; path: string } {
  const eq = spec.indexOf('=');
  if (eq > 0 && !spec.slice(0, eq).includes(path.sep)) return { id: spec.slice(0, eq), path: spec.slice(eq + 1) };
  return { id: path.basename(path.resolve(spec)), path: spec };
}

export class ModelRegistry {
  private constructor(readonly models: ServedModel[]) {}

  /** Loads every folder once, so a broken one fails the start instead of the first request. */
  static async load(client: HostClient, specs: string[]): Promise<ModelRegistry> {
    const models: ServedModel[] = [];
    for (const spec of specs) {
      const { id, path: dir } = parseModelSpec(spec);
      if (models.some((m) => m.id === id)) throw new Error(`two models are served as ${JSON.stringify(id)}: name one of them with --model NAME=DIR`);
      const info = await client.request('load', { modelPath: dir });
      models.push({ id, path: info.modelPath, info });
    }
    return new ModelRegistry(models);
  }

  /** The model a request names, of the kind the route needs; with one such model, `model` may be left out. */
  pick(requested: unknown, kind: 'generation' | 'embedding'): ServedModel {
    const fits = this.models.filter((m) => (kind === 'generation' ? m.info.task === 'text-generation' : m.info.task === 'feature-extraction'));
    const what = kind === 'generation' ? 'text-generation' : 'embedding';
    if (requested === undefined || requested === null || requested === '') {
      if (fits.length === 1) return fits[0];
      if (fits.length === 0) throw new ApiError(404, `This server serves no ${what} model (served: ${this.ids()}).`, 'invalid_request_error', 'model', 'model_not_found');
      throw new ApiError(400, `model is required: this server serves several ${what} models (${fits.map((m) => m.id).join(', ')}).`, 'invalid_request_error', 'model');
    }
    if (typeof requested !== 'string') throw new ApiError(400, 'model must be a string.', 'invalid_request_error', 'model');
    const m = this.models.find((x) => x.id === requested);
    if (!m) throw new ApiError(404, `The model ${JSON.stringify(requested)} is not served here (served: ${this.ids()}).`, 'invalid_request_error', 'model', 'model_not_found');
    if (!fits.includes(m)) throw new ApiError(400, `${m.id} is a ${m.info.task} model; this route needs a ${what} model (${fits.map((x) => x.id).join(', ') || 'none served'}).`, 'invalid_request_error', 'model');
    return m;
  }

  private ids(): string {
    return this.models.map((m) => m.id).join(', ') || 'none';
  }
}
