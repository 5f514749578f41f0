/**
 * BatchMatMul for the wasm backend when exactly one operand is transposed: the two products of a matMul's
 * gradient (dW = xᵀ·dy and dx = dy·Wᵀ), which the trainer uses for 1x1 convs. The stock tfjs-wasm kernel handles
 * these slowly; every other case (no / both transposed, non-float32, incompatible batch) goes to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { heapOf, kernelsFor, wasmBackendOf } from './kernels.js';
import type { WasmModule } from './wasm-api.js';

export function makeBatchMatMul(mod: WasmModule, stock: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const backend = wasmBackendOf(args.backend, tf.BatchMatMul);
    const { a, b } = args.inputs as unknown as Record<'a' | 'b', tf.TensorInfo>;
    const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    if (transposeA === transposeB || a.shape.length !== 3 || b.shape.length !== 3 ||
      a.dtype !== 'float32' || b.dtype !== 'float32') return stock.kernelFunc(args);
    const [ba, a1, a2] = a.shape as [number, number, number];
    const [bb, b1, b2] = b.shape as [number, number, number];
    if (ba !== bb && ba !== 1 && bb !== 1) return stock.kernelFunc(args);
    const batch = Math.max(ba, bb);
    // transposeA: a [K, M], b [K, N];  transposeB: a [M, K], b [N, K]
    const [M, K, N] = transposeA ? [a2, a1, b2] : [a1, a2, b1];
    if ((transposeA ? b1 : b2) !== K) return stock.kernelFunc(args);
    const sa = ba === 1 ? 0 : M * K;
    const sb = bb === 1 ? 0 : K * N;
    const out = backend.makeOutput([batch, M, N], 'float32');
    const ptr = (t: tf.TensorInfo): number => backend.dataIdMap.get(t.dataId).memoryOffset;
    const k = kernelsFor(backend, mod);
    if (transposeA) {
      k.matmul_at_b(ptr(a), ptr(b), ptr(out), batch, M, K, N, sa, sb);
    } else {
      const heap = heapOf(backend);
      const scratch = heap.malloc(Math.max(16, 4 * K * N)) >>> 0;
      try {
        k.matmul_a_bt(ptr(a), ptr(b), ptr(out), scratch, batch, M, K, N, sa, sb);
      } finally {
        heap.free(scratch);
      }
    }
    return out;
  };
}
