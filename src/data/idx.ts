/** IDX file reader (the MNIST / Fashion-MNIST container), gzip-compressed or raw. */
import { readFileSync, existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { LayernasError } from '../core/errors.js';

export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

function readMaybeGzip(file: string): Buffer {
  if (!existsSync(file)) throw new LayernasError('DATASET_MISSING', `dataset file not found: ${file}`, { file });
  const raw = readFileSync(file);
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      return gunzipSync(raw);
    } catch (e) {
      throw new LayernasError('DATASET_INVALID', `${file}: corrupt gzip stream (${(e as Error).message})`, { file, offset: 0 }, { cause: e });
    }
  }
  return raw;
}

/** Parse an IDX buffer holding unsigned bytes (type 0x08). `file` is only used in error messages. */
export function parseIdx(buf: Uint8Array, file: string): IdxArray {
  if (buf.length < 4) throw new LayernasError('DATASET_INVALID', `${file}: too short for an IDX header (${buf.length} bytes)`, { file, offset: 0 });
  if (buf[0] !== 0 || buf[1] !== 0) {
    throw new LayernasError('DATASET_INVALID', `${file}: bad IDX magic at offset 0 (expected 00 00)`, { file, offset: 0 });
  }
  if (buf[2] !== 0x08) {
    throw new LayernasError('DATASET_INVALID', `${file}: IDX element type 0x${(buf[2] ?? 0).toString(16)} at offset 2 is not unsigned byte (0x08)`, { file, offset: 2 });
  }
  const nd = buf[3] ?? 0;
  if (nd < 1 || nd > 4) throw new LayernasError('DATASET_INVALID', `${file}: IDX rank ${nd} at offset 3 not in 1..4`, { file, offset: 3 });
  const headerLen = 4 + 4 * nd;
  if (buf.length < headerLen) throw new LayernasError('DATASET_INVALID', `${file}: truncated IDX header`, { file, offset: buf.length });
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < nd; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const expected = dims.reduce((a, b) => a * b, 1);
  const have = buf.length - headerLen;
  if (have !== expected) {
    throw new LayernasError(
      'DATASET_INVALID',
      `${file}: IDX dims [${dims.join(', ')}] need ${expected} data bytes after the ${headerLen}-byte header, found ${have} (data ends at offset ${buf.length})`,
      { file, offset: Math.min(buf.length, headerLen + expected), dims, expected, have },
    );
  }
  return { dims, data: new Uint8Array(buf.buffer, buf.byteOffset + headerLen, expected) };
}

export function readIdxFile(file: string): IdxArray {
  return parseIdx(readMaybeGzip(file), file);
}

/** Read an images file ([N, H, W] or [N, H, W, C]) and its labels file ([N]) into pixels + labels. */
export function readIdxPair(imagesFile: string, labelsFile: string): { pixels: Uint8Array; labels: Int32Array; count: number; height: number; width: number; channels: number } {
  const images = readIdxFile(imagesFile);
  const labels = readIdxFile(labelsFile);
  if (images.dims.length < 3) {
    throw new LayernasError('DATASET_INVALID', `${imagesFile}: images need rank 3 or 4, got [${images.dims.join(', ')}]`, { file: imagesFile, offset: 3 });
  }
  if (labels.dims.length !== 1) {
    throw new LayernasError('DATASET_INVALID', `${labelsFile}: labels need rank 1, got [${labels.dims.join(', ')}]`, { file: labelsFile, offset: 3 });
  }
  const [n, h, w, c] = [images.dims[0] ?? 0, images.dims[1] ?? 0, images.dims[2] ?? 0, images.dims[3] ?? 1];
  if (labels.dims[0] !== n) {
    throw new LayernasError('DATASET_INVALID', `${labelsFile}: ${labels.dims[0]} labels for ${n} images in ${imagesFile}`, { file: labelsFile, offset: 4 });
  }
  return { pixels: images.data, labels: Int32Array.from(labels.data), count: n, height: h, width: w, channels: c };
}
