/** A user's own data: a directory of IDX files, or a folder of images with one sub-folder per class. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { LayernasError } from '../core/errors.js';
import { readIdxPair } from './idx.js';
import { stratifiedSplit } from './splits.js';
import { InputConverter } from './batches.js';
import type { Dataset, ImageSet, SplitOptions } from './types.js';

function findOne(dir: string, names: readonly string[], patterns: readonly RegExp[]): string | undefined {
  return names.find((n) => patterns.some((p) => p.test(n)));
}

function numClassesOf(sets: readonly ImageSet[], where: string): number {
  let max = -1;
  for (const s of sets) for (const y of s.labels) if (y > max) max = y;
  if (max < 1) throw new LayernasError('DATASET_INVALID', `${where}: labels need at least 2 classes`, { file: where });
  return max + 1;
}

/**
 * IDX directory: `*train-images*` + `*train-labels*` (required), `*t10k-images*`|`*test-images*` + labels (optional;
 * otherwise test is split off the training files). Files may be gzip-compressed.
 */
export function loadIdxDirectory(dir: string, split: SplitOptions): Dataset {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new LayernasError('DATASET_MISSING', `IDX dataset directory not found: ${dir}`, { dir });
  }
  const names = readdirSync(dir).sort();
  const trImg = findOne(dir, names, [/train-images/]);
  const trLab = findOne(dir, names, [/train-labels/]);
  if (!trImg || !trLab) {
    throw new LayernasError('DATASET_MISSING', `${dir}: needs train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz]`, { dir, found: names });
  }
  const teImg = findOne(dir, names, [/t10k-images/, /test-images/]);
  const teLab = findOne(dir, names, [/t10k-labels/, /test-labels/]);
  const tr: ImageSet = readIdxPair(join(dir, trImg), join(dir, trLab));
  let train: ImageSet, validation: ImageSet, test: ImageSet;
  if (teImg && teLab) {
    test = readIdxPair(join(dir, teImg), join(dir, teLab));
    [train, validation] = stratifiedSplit(tr, [1 - split.validationFraction], split.seed) as [ImageSet, ImageSet];
  } else {
    const trainShare = 1 - split.testFraction;
    [train, validation, test] = stratifiedSplit(tr, [trainShare * (1 - split.validationFraction), trainShare * split.validationFraction], split.seed) as [ImageSet, ImageSet, ImageSet];
  }
  if (test.height !== train.height || test.width !== train.width || test.channels !== train.channels) {
    throw new LayernasError('DATASET_INVALID', `${dir}: test images ${test.height}x${test.width}x${test.channels} differ from train ${train.height}x${train.width}x${train.channels}`, { dir });
  }
  const numClasses = numClassesOf([train, validation, test], dir);
  return {
    name: `idx:${dir}`, numClasses, classNames: Array.from({ length: numClasses }, (_, i) => String(i)),
    train, validation, test,
    provenance: { source: dir, splitSeed: split.seed, note: teImg ? 'train files split into train/validation; test files as test' : 'train files split into train/validation/test' },
  };
}

interface DecodedImage { width: number; height: number; rgba: Uint8Array }

function decodeImage(file: string): DecodedImage {
  const buf = readFileSync(file);
  const ext = extname(file).toLowerCase();
  try {
    if (ext === '.png') {
      const png = PNG.sync.read(buf);
      return { width: png.width, height: png.height, rgba: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.length) };
    }
    const img = jpeg.decode(buf, { useTArray: true, formatAsRGBA: true });
    return { width: img.width, height: img.height, rgba: img.data };
  } catch (e) {
    throw new LayernasError('DATASET_INVALID', `${file}: cannot decode image (${(e as Error).message})`, { file, offset: 0 }, { cause: e });
  }
}

const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg']);

/**
 * Folder of images per class: `<dir>/<class>/*.png|jpg`. Classes are the sub-folder names, sorted. Every image is
 * resized (bilinear) to the size of the first image; 1 channel when every image is grey, else RGB. Split stratified.
 */
export function loadImageFolder(dir: string, split: SplitOptions): Dataset {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new LayernasError('DATASET_MISSING', `image folder not found: ${dir}`, { dir });
  }
  const classNames = readdirSync(dir).filter((n) => statSync(join(dir, n)).isDirectory()).sort();
  if (classNames.length < 2) throw new LayernasError('DATASET_INVALID', `${dir}: needs at least 2 class sub-folders, found ${classNames.length}`, { dir });
  const decoded: { img: DecodedImage; label: number; file: string }[] = [];
  classNames.forEach((cls, label) => {
    const files = readdirSync(join(dir, cls)).filter((n) => IMAGE_EXT.has(extname(n).toLowerCase())).sort();
    if (files.length === 0) throw new LayernasError('DATASET_INVALID', `${join(dir, cls)}: no .png/.jpg images`, { dir: join(dir, cls) });
    for (const f of files) decoded.push({ img: decodeImage(join(dir, cls, f)), label, file: join(dir, cls, f) });
  });
  const first = (decoded[0] as { img: DecodedImage }).img;
  const grey = decoded.every(({ img }) => {
    for (let i = 0; i < img.width * img.height; i++) {
      const r = img.rgba[4 * i], g = img.rgba[4 * i + 1], b = img.rgba[4 * i + 2];
      if (r !== g || g !== b) return false;
    }
    return true;
  });
  const C = grey ? 1 : 3;
  const H = first.height, W = first.width;
  const per = H * W * C;
  const pixels = new Uint8Array(decoded.length * per);
  const labels = new Int32Array(decoded.length);
  const tmp = new Float32Array(per);
  decoded.forEach(({ img, label }, n) => {
    const rgb = new Uint8Array(img.width * img.height * 3);
    for (let i = 0; i < img.width * img.height; i++) for (let c = 0; c < 3; c++) rgb[3 * i + c] = img.rgba[4 * i + c] as number;
    const one: ImageSet = { count: 1, height: img.height, width: img.width, channels: 3, pixels: rgb, labels: new Int32Array(1) };
    new InputConverter(one, { height: H, width: W, channels: C }).convertInto(one, 0, tmp, 0);
    for (let i = 0; i < per; i++) pixels[n * per + i] = Math.round((tmp[i] as number) * 255);
    labels[n] = label;
  });
  const all: ImageSet = { count: decoded.length, height: H, width: W, channels: C, pixels, labels };
  const trainShare = 1 - split.testFraction;
  const [train, validation, test] = stratifiedSplit(all, [trainShare * (1 - split.validationFraction), trainShare * split.validationFraction], split.seed) as [ImageSet, ImageSet, ImageSet];
  return {
    name: `folder:${dir}`, numClasses: classNames.length, classNames, train, validation, test,
    provenance: { source: dir, splitSeed: split.seed, note: `${decoded.length} images in ${classNames.length} classes, ${H}x${W}x${C}, split stratified` },
  };
}
