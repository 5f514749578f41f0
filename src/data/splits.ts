/** Fixed, seeded, stratified splits and subsets of ImageSets. */
import { Rng } from '../core/rng.js';
import type { ImageSet } from './types.js';

/** Copy the images at `indices` (in that order) into a new set. */
export function selectImages(set: ImageSet, indices: readonly number[] | Int32Array): ImageSet {
  const per = set.height * set.width * set.channels;
  const pixels = new Uint8Array(indices.length * per);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const src = indices[i] as number;
    pixels.set(set.pixels.subarray(src * per, (src + 1) * per), i * per);
    labels[i] = set.labels[src] as number;
  }
  return { count: indices.length, height: set.height, width: set.width, channels: set.channels, pixels, labels };
}

/**
 * Split `set` into parts with the given fractions (the last part takes the remainder), stratified by class:
 * each class is shuffled with the seed and cut in the same proportions, so class balance is kept.
 * The result depends only on the labels, the fractions and the seed.
 */
export function stratifiedSplit(set: ImageSet, fractions: readonly number[], seed: number): ImageSet[] {
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < set.count; i++) {
    const y = set.labels[i] as number;
    const list = byClass.get(y);
    if (list) list.push(i);
    else byClass.set(y, [i]);
  }
  const parts: number[][] = fractions.map(() => []);
  parts.push([]);
  const rng = new Rng(seed);
  for (const cls of [...byClass.keys()].sort((a, b) => a - b)) {
    const idx = rng.fork(cls).shuffle([...(byClass.get(cls) as number[])]);
    let start = 0;
    fractions.forEach((f, p) => {
      const take = Math.round(idx.length * f);
      (parts[p] as number[]).push(...idx.slice(start, start + take));
      start += take;
    });
    (parts[fractions.length] as number[]).push(...idx.slice(start));
  }
  // interleave classes deterministically so a prefix of a split is class-balanced too
  return parts.map((p, k) => selectImages(set, new Rng(seed + 7919 * (k + 1)).shuffle(p)));
}

/** A seeded, stratified subset of `count` images (or all when count >= set.count). */
export function stratifiedSubset(set: ImageSet, count: number, seed: number): ImageSet {
  if (count >= set.count) return set;
  const [part] = stratifiedSplit(set, [count / set.count], seed);
  return part as ImageSet;
}
