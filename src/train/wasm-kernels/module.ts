/**
 * Loads native/wasm-kernels/layernas-grad-kernels.wasm (our SIMD gradient kernels) and instantiates it
 * against the linear memory of a tfjs wasm backend, so kernels read and write tfjs tensors in place.
 *
 * The module is a position-independent side module (scripts/build-wasm-kernels.mjs): it imports `env.memory`
 * and the relocation globals; this loader gives it the backend's memory, and carves any static data, stack
 * and table space it declares (in its `dylink.0` section) out of the backend's own malloc.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LayernasError } from '../../core/errors.js';
import { dataLocations } from '../../core/locations.js';
import { Wasm, type WasmImportValue, type WasmMemory, type WasmModule } from './wasm-api.js';

export const GRAD_KERNELS_WASM_PATH = join(dataLocations().native, 'wasm-kernels', 'layernas-grad-kernels.wasm');

/** Pointers are byte offsets in the tfjs wasm heap; all sizes are element counts. */
export interface GradKernelExports {
  conv2d_backprop_filter(x: number, dy: number, dw: number, n: number, h: number, w: number, cin: number,
    oh: number, ow: number, cout: number, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number): void;
  conv2d_backprop_input(dy: number, w: number, dx: number, wtScratch: number, n: number, h: number, wd: number,
    cin: number, oh: number, ow: number, cout: number, kh: number, kw: number, sh: number, sw: number, pt: number,
    pl: number): void;
  depthwise_backprop_filter(x: number, dy: number, dw: number, n: number, h: number, w: number, c: number, m: number,
    oh: number, ow: number, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number): void;
  depthwise_backprop_input(dy: number, w: number, dx: number, tapsScratch: number, n: number, h: number, wd: number,
    c: number, m: number, oh: number, ow: number, kh: number, kw: number, sh: number, sw: number, pt: number,
    pl: number): void;
  reduce_leading(x: number, out: number, p: number, c: number, scale: number): void;
  batchnorm_grad(x: number, dy: number, mean: number, variance: number, scale: number, eps: number, p: number,
    c: number, dx: number, dmean: number, dvar: number, dscale: number, doffset: number): void;
  relu6_grad(dy: number, x: number, dx: number, n: number): void;
  broadcast_leading(v: number, out: number, p: number, c: number, scale: number): void;
  mul_scaled(a: number, b: number, out: number, n: number, s: number): void;
  matmul_at_b(a: number, b: number, out: number, batch: number, m: number, k: number, n: number, sa: number, sb: number): void;
  matmul_a_bt(a: number, b: number, out: number, scratch: number, batch: number, m: number, k: number, n: number,
    sa: number, sb: number): void;
  batchnorm_forward(x: number, mean: number, variance: number, scale: number, offset: number, eps: number, p: number,
    c: number, y: number, abScratch: number): void;
}

const EXPORT_NAMES: readonly (keyof GradKernelExports)[] = [
  'conv2d_backprop_filter', 'conv2d_backprop_input', 'depthwise_backprop_filter', 'depthwise_backprop_input',
  'reduce_leading', 'batchnorm_grad', 'relu6_grad', 'broadcast_leading', 'mul_scaled',
  'matmul_at_b', 'matmul_a_bt', 'batchnorm_forward',
];

/** The part of the tfjs wasm backend's emscripten module we rely on. */
export interface WasmHeap {
  readonly memory: WasmMemory;
  malloc(bytes: number): number;
  free(ptr: number): void;
}

interface DylinkMemInfo { memorySize: number; memoryAlign: number; tableSize: number }

const STACK_BYTES = 64 * 1024;

let compiled: Promise<WasmModule> | undefined;

/** Compiles the committed .wasm once per process. */
export function compileGradKernels(path: string = GRAD_KERNELS_WASM_PATH): Promise<WasmModule> {
  if (path !== GRAD_KERNELS_WASM_PATH) return compileFrom(path);
  compiled ??= compileFrom(path);
  return compiled;
}

async function compileFrom(path: string): Promise<WasmModule> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new LayernasError('RUNTIME_UNAVAILABLE',
      `wasm gradient kernels not found at ${path}; rebuild with \`node scripts/build-wasm-kernels.mjs\``,
      { path }, { cause: e });
  }
  try {
    return await Wasm.compile(bytes);
  } catch (e) {
    throw new LayernasError('RUNTIME_UNAVAILABLE',
      `cannot compile wasm gradient kernels ${path} (needs WebAssembly SIMD, Node >= 16.4): ${String(e)}`,
      { path }, { cause: e });
  }
}

function readLeb(bytes: Uint8Array, pos: { i: number }): number {
  let result = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[pos.i++];
    if (b === undefined) throw new LayernasError('RUNTIME_UNAVAILABLE', 'truncated dylink.0 section in grad kernels');
    result += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return result;
    shift += 7;
  }
}

function dylinkMemInfo(mod: WasmModule): DylinkMemInfo {
  const info: DylinkMemInfo = { memorySize: 0, memoryAlign: 0, tableSize: 0 };
  const section = Wasm.Module.customSections(mod, 'dylink.0')[0];
  if (section === undefined) return info;
  const bytes = new Uint8Array(section);
  const pos = { i: 0 };
  while (pos.i < bytes.length) {
    const type = readLeb(bytes, pos);
    const size = readLeb(bytes, pos);
    const end = pos.i + size;
    if (type === 1) { // WASM_DYLINK_MEM_INFO
      info.memorySize = readLeb(bytes, pos);
      info.memoryAlign = readLeb(bytes, pos);
      info.tableSize = readLeb(bytes, pos);
    }
    pos.i = end;
  }
  return info;
}

/** Instantiates the kernels on one backend heap. Static data/stack blocks live for the backend's lifetime. */
export function instantiateGradKernels(mod: WasmModule, heap: WasmHeap): GradKernelExports {
  const meminfo = dylinkMemInfo(mod);
  const env: Record<string, WasmImportValue> = {};
  for (const imp of Wasm.Module.imports(mod)) {
    const key = `${imp.module}.${imp.name}`;
    switch (key) {
      case 'env.memory':
        env.memory = heap.memory;
        break;
      case 'env.__memory_base': {
        const align = 2 ** meminfo.memoryAlign;
        const base = meminfo.memorySize > 0 ? heap.malloc(meminfo.memorySize + align) >>> 0 : 0;
        env.__memory_base = new Wasm.Global({ value: 'i32', mutable: false }, Math.ceil(base / align) * align);
        break;
      }
      case 'env.__table_base':
        env.__table_base = new Wasm.Global({ value: 'i32', mutable: false }, 0);
        break;
      case 'env.__indirect_function_table':
        env.__indirect_function_table = new Wasm.Table({ initial: meminfo.tableSize, element: 'anyfunc' });
        break;
      case 'env.__stack_pointer': {
        const stack = heap.malloc(STACK_BYTES) >>> 0;
        env.__stack_pointer = new Wasm.Global({ value: 'i32', mutable: true }, (stack + STACK_BYTES) & ~15);
        break;
      }
      default:
        throw new LayernasError('RUNTIME_UNAVAILABLE', `wasm gradient kernels import unknown symbol ${key}`, { key });
    }
  }
  const instance = new Wasm.Instance(mod, { env });
  const ex = instance.exports as Record<string, unknown>;
  for (const name of ['__wasm_apply_data_relocs', '__wasm_call_ctors']) {
    const f = ex[name];
    if (typeof f === 'function') (f as () => void)();
  }
  for (const name of EXPORT_NAMES) {
    if (typeof ex[name] !== 'function') {
      throw new LayernasError('RUNTIME_UNAVAILABLE', `wasm gradient kernels lack export ${name}; rebuild them`, { name });
    }
  }
  return ex as unknown as GradKernelExports;
}
