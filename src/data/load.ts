/** Dataset references as users write them (CLI, request files), validated once, then loaded. */
import { z } from 'zod';
import { LayernasError } from '../core/errors.js';
import { loadFashionMnist, loadMnistNpm } from './builtin.js';
import { loadIdxDirectory, loadImageFolder } from './user-data.js';
import { DEFAULT_SPLIT, type Dataset, type SplitOptions } from './types.js';

export type DatasetRef =
  | { readonly kind: 'mnist' }
  | { readonly kind: 'fashion-mnist'; readonly dir?: string }
  | { readonly kind: 'idx'; readonly dir: string }
  | { readonly kind: 'folder'; readonly dir: string };

export const datasetRefSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('mnist') }),
  z.object({ kind: z.literal('fashion-mnist'), dir: z.string().min(1).optional() }),
  z.object({ kind: z.literal('idx'), dir: z.string().min(1) }),
  z.object({ kind: z.literal('folder'), dir: z.string().min(1) }),
]);

/** `mnist`, `fashion-mnist`, `fashion-mnist:<dir>`, `idx:<dir>`, `folder:<dir>`. */
export function parseDatasetRef(text: string): DatasetRef {
  if (text === 'mnist') return { kind: 'mnist' };
  if (text === 'fashion-mnist') return { kind: 'fashion-mnist' };
  const m = /^(fashion-mnist|idx|folder):(.+)$/.exec(text);
  if (m) {
    const dir = m[2] as string;
    if (m[1] === 'fashion-mnist') return { kind: 'fashion-mnist', dir };
    return m[1] === 'idx' ? { kind: 'idx', dir } : { kind: 'folder', dir };
  }
  throw new LayernasError('USAGE', `unknown dataset "${text}": use mnist, fashion-mnist, idx:<dir> or folder:<dir>`, { input: text });
}

export function formatDatasetRef(ref: DatasetRef): string {
  switch (ref.kind) {
    case 'mnist': return 'mnist';
    case 'fashion-mnist': return ref.dir ? `fashion-mnist:${ref.dir}` : 'fashion-mnist';
    case 'idx': return `idx:${ref.dir}`;
    case 'folder': return `folder:${ref.dir}`;
  }
}

const cache = new Map<string, Dataset>();

/** Load (and memoise per process) a dataset with its fixed split. */
export function loadDataset(ref: DatasetRef, split: SplitOptions = DEFAULT_SPLIT): Dataset {
  const key = `${formatDatasetRef(ref)}|${split.seed}|${split.validationFraction}|${split.testFraction}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let ds: Dataset;
  switch (ref.kind) {
    case 'mnist': ds = loadMnistNpm(split); break;
    case 'fashion-mnist': ds = ref.dir ? loadFashionMnist(split, ref.dir) : loadFashionMnist(split); break;
    case 'idx': ds = loadIdxDirectory(ref.dir, split); break;
    case 'folder': ds = loadImageFolder(ref.dir, split); break;
  }
  checkDatasetContent(ds);
  cache.set(key, ds);
  return ds;
}

/**
 * Refuse degenerate content before anything trains on it (DATASET_INVALID): images with a zero dimension, and a
 * split left empty (too few images for the split fractions: a 0-image validation split would report 0% accuracy).
 */
export function checkDatasetContent(ds: Dataset): void {
  const t = ds.train;
  if (!(t.height >= 1 && t.width >= 1 && t.channels >= 1)) {
    throw new LayernasError('DATASET_INVALID', `dataset ${ds.name}: images are ${t.height}x${t.width}x${t.channels} (every dimension must be at least 1)`, { dataset: ds.name, shape: [t.height, t.width, t.channels] });
  }
  const total = ds.train.count + ds.validation.count + ds.test.count;
  for (const [name, set] of [['train', ds.train], ['validation', ds.validation], ['test', ds.test]] as const) {
    if (set.count < 1) {
      throw new LayernasError('DATASET_INVALID', `dataset ${ds.name}: the ${name} split is empty (${total} images in all are too few for the train/validation/test split; give more images per class)`, { dataset: ds.name, split: name, images: total });
    }
  }
}
