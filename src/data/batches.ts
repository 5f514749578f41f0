/**
 * Conversion of stored images to a network input: bilinear resize (half-pixel centres, as TF's
 * resize_bilinear with half_pixel_centers) + channel replication (1 -> 3) or luminance (3 -> 1), scaled to [0, 1].
 */
import { LayernasError } from '../core/errors.js';
import type { InputSpec } from '../arch/spec.js';
import type { ImageSet } from './types.js';

/** Precomputed per-axis interpolation taps. */
interface AxisTaps {
  readonly i0: Int32Array;
  readonly i1: Int32Array;
  readonly w1: Float32Array;
}

function axisTaps(src: number, dst: number): AxisTaps {
  const i0 = new Int32Array(dst);
  const i1 = new Int32Array(dst);
  const w1 = new Float32Array(dst);
  const scale = src / dst;
  for (let o = 0; o < dst; o++) {
    const x = Math.max(0, (o + 0.5) * scale - 0.5);
    const lo = Math.min(src - 1, Math.floor(x));
    i0[o] = lo;
    i1[o] = Math.min(src - 1, lo + 1);
    w1[o] = x - lo;
  }
  return { i0, i1, w1 };
}

/** Converts images of one stored size into the target input layout. Build once, use for every batch. */
export class InputConverter {
  private readonly rows: AxisTaps;
  private readonly cols: AxisTaps;
  readonly perImage: number;

  constructor(private readonly src: { height: number; width: number; channels: number }, readonly target: InputSpec) {
    const ok = src.channels === target.channels || (src.channels === 1 && target.channels === 3) || (src.channels === 3 && target.channels === 1);
    if (!ok) {
      throw new LayernasError('DATASET_INVALID', `cannot convert ${src.channels}-channel images to a ${target.channels}-channel input`, {
        from: src, to: target,
      });
    }
    this.rows = axisTaps(src.height, target.height);
    this.cols = axisTaps(src.width, target.width);
    this.perImage = target.height * target.width * target.channels;
  }

  /**
   * Write image `index` of `set` into `out` at `offset` (floats in [0,1]). Written without per-pixel closures: this
   * runs for every training image of every epoch (a closure per pixel made it ~15% of a tfjs training step).
   */
  convertInto(set: ImageSet, index: number, out: Float32Array, offset: number): void {
    const { height: H, width: W, channels: C } = this.src;
    const { height: TH, width: TW, channels: TC } = this.target;
    const base = index * H * W * C;
    const px = set.pixels;
    const { i0: ry0, i1: ry1, w1: rw } = this.rows;
    const { i0: cx0, i1: cx1, w1: cw } = this.cols;
    const lum = [0.299, 0.587, 0.114];
    for (let oy = 0; oy < TH; oy++) {
      const r0 = base + (ry0[oy] as number) * W * C, r1 = base + (ry1[oy] as number) * W * C, wy = rw[oy] as number;
      for (let ox = 0; ox < TW; ox++) {
        const a = (cx0[ox] as number) * C, b = (cx1[ox] as number) * C, wx = cw[ox] as number;
        const o = offset + (oy * TW + ox) * TC;
        if (C === 1 || C === TC) {
          for (let c = 0; c < C; c++) {
            const top = (px[r0 + a + c] as number) * (1 - wx) + (px[r0 + b + c] as number) * wx;
            const bot = (px[r1 + a + c] as number) * (1 - wx) + (px[r1 + b + c] as number) * wx;
            const v = (top * (1 - wy) + bot * wy) / 255;
            if (C === TC) out[o + c] = v;
            else for (let t = 0; t < TC; t++) out[o + t] = v;
          }
        } else {
          let v = 0;
          for (let c = 0; c < C; c++) {
            const top = (px[r0 + a + c] as number) * (1 - wx) + (px[r0 + b + c] as number) * wx;
            const bot = (px[r1 + a + c] as number) * (1 - wx) + (px[r1 + b + c] as number) * wx;
            v += (lum[c] as number) * ((top * (1 - wy) + bot * wy) / 255);
          }
          out[o] = v;
        }
      }
    }
  }

  /** A batch [indices.length, H, W, C] of converted images and their labels. */
  batch(set: ImageSet, indices: ArrayLike<number>): { x: Float32Array; y: Int32Array } {
    const x = new Float32Array(indices.length * this.perImage);
    const y = new Int32Array(indices.length);
    for (let i = 0; i < indices.length; i++) {
      const k = indices[i] as number;
      this.convertInto(set, k, x, i * this.perImage);
      y[i] = set.labels[k] as number;
    }
    return { x, y };
  }
}
