/** The curated catalog (models/catalog.json): what each entry is, costs and suits. */
import * as fs from 'node:fs';
import type { Dtype } from './names';

export interface CatalogEntry {
  repo: string;
  task: 'text-generation' | 'text-classification' | 'zero-shot-classification' | 'feature-extraction';
  architecture: string;
  licence: string;
  fim: string[] | null;
  chatTemplate: boolean;
  sizesMB: Partial<Record<Dtype, number>>;
  sizeSource: string;
  recommended: Record<'cpu' | 'cuda' | 'dml' | 'webgpu', Dtype>;
  notes: string;
}

export function readCatalog(file: string): CatalogEntry[] {
  const c = JSON.parse(fs.readFileSync(file, 'utf8')) as { models?: CatalogEntry[] };
  return c.models ?? [];
}

/** The variant to suggest for a provider (CPU when the provider is auto or unknown). */
export function recommendedDtype(e: CatalogEntry, ep: string): Dtype {
  const key = (['cuda', 'dml', 'webgpu'].includes(ep) ? ep : 'cpu') as keyof CatalogEntry['recommended'];
  return e.recommended[key];
}
