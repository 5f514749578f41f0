/**
 * Write a dataset's fixed splits as IDX files (uint8 images [N,H,W(,C)] + labels [N]) so external trainers read
 * exactly the same train / validation / test images as the in-process trainer. Written once per dataset + split
 * into a cache directory (content-addressed by dataset name and split), via temporary file + rename.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LayernasError } from '../core/errors.js';
import type { Dataset, ImageSet } from './types.js';

export interface SplitFiles {
  readonly name: string;
  readonly numClasses: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly train: { readonly images: string; readonly labels: string; readonly count: number };
  readonly validation: { readonly images: string; readonly labels: string; readonly count: number };
  readonly test: { readonly images: string; readonly labels: string; readonly count: number };
}

function idx(dims: number[], data: Uint8Array): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = 0x08;
  head[3] = dims.length;
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

function writeAtomic(file: string, buf: Buffer): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, buf);
    renameSync(tmp, file);
  } catch (e) {
    throw new LayernasError('OUTPUT_UNWRITABLE', `cannot write ${file}: ${(e as Error).message}`, { file }, { cause: e });
  }
}

export function writeSplitFiles(ds: Dataset, cacheRoot: string): SplitFiles {
  const key = createHash('sha256').update(`${ds.name}|${ds.provenance.splitSeed}|${ds.train.count}|${ds.validation.count}|${ds.test.count}`).digest('hex').slice(0, 16);
  const dir = join(cacheRoot, key);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new LayernasError('OUTPUT_UNWRITABLE', `cannot create ${dir}: ${(e as Error).message}`, { dir }, { cause: e });
  }
  const part = (name: string, set: ImageSet): { images: string; labels: string; count: number } => {
    const images = join(dir, `${name}-images-idx${set.channels === 1 ? 3 : 4}-ubyte`);
    const labels = join(dir, `${name}-labels-idx1-ubyte`);
    if (!existsSync(labels)) {
      const dims = set.channels === 1 ? [set.count, set.height, set.width] : [set.count, set.height, set.width, set.channels];
      writeAtomic(images, idx(dims, set.pixels));
      writeAtomic(labels, idx([set.count], Uint8Array.from(set.labels)));
    }
    return { images, labels, count: set.count };
  };
  return {
    name: ds.name, numClasses: ds.numClasses, height: ds.train.height, width: ds.train.width, channels: ds.train.channels,
    train: part('train', ds.train), validation: part('validation', ds.validation), test: part('test', ds.test),
  };
}
