/**
 * What the classification commands accept when another extension, a test or the panel runs them
 * with arguments (each field skips the question it answers).
 */
import type { ClassifierSpec } from '../../core/classification/classifier';

export interface ZeroShotArgs {
  text?: string;
  labels?: string[];
  /** false: return the result without showing a quick pick. */
  show?: boolean;
}

export interface FileArgs {
  classifier?: ClassifierSpec;
  textColumn?: string;
  labelColumn?: string;
}

export interface TeachArgs {
  name?: string;
  encoder?: string;
  /** An example set collected in the editor (instead of a data file). */
  set?: string;
  textColumn?: string;
  labelColumn?: string;
}

export interface ExampleArgs {
  set?: string;
  label?: string;
  text?: string;
}
