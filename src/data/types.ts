/**
 * Image classification datasets as data: uint8 pixels (NHWC, 0..255) + int labels, split once into
 * fixed, seeded train / validation / test sets. The search reads `validation` only; `test` is for the final report.
 * Conversion to the network's input (resize, channel replication, scaling to [0,1]) happens per batch
 * (src/data/batches.ts), so a dataset is stored once at its native size whatever the target input is.
 */

/** A set of images of one size. `pixels.length === count * height * width * channels`. */
export interface ImageSet {
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** NHWC, row-major, 0..255 */
  readonly pixels: Uint8Array;
  /** class index per image, 0..numClasses-1 */
  readonly labels: Int32Array;
}

export interface Dataset {
  /** e.g. `fashion-mnist`, `mnist`, `idx:/data/x`, `folder:/data/pets` */
  readonly name: string;
  readonly numClasses: number;
  readonly classNames: readonly string[];
  readonly train: ImageSet;
  readonly validation: ImageSet;
  readonly test: ImageSet;
  /** how the splits were made (seed, sizes, source files), for reports */
  readonly provenance: DatasetProvenance;
}

export interface DatasetProvenance {
  readonly source: string;
  readonly splitSeed: number;
  readonly note: string;
}

/** Split sizes as fractions of the pool they are carved from. */
export interface SplitOptions {
  /** seed of the fixed split (default 0: the same split everywhere) */
  readonly seed: number;
  /** share of the training pool held out for validation */
  readonly validationFraction: number;
  /** share held out for test when the source has no separate test set */
  readonly testFraction: number;
}

export const DEFAULT_SPLIT: SplitOptions = { seed: 0, validationFraction: 1 / 12, testFraction: 0.1 };
