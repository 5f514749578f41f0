/**
 * Our TFLite runner addon (native/tflite-runner, built by scripts/build-native.mjs): TFLite 2.9's C library with
 * the XNNPack delegate created directly, the thread count applied to both the interpreter and XNNPack's thread
 * pool, a delegation report, and invokes timed in C. See native/tflite-runner/tflite_runner.c for why we do not
 * use tfjs-tflite-node's binding for delegated runs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { dataLocations } from '../core/locations.js';
import { BuiltinOp } from '../export/tflite/schema.js';

export const DEFAULT_TFLITE_RUNNER = join(dataLocations().native, 'tflite-runner', 'build', 'layernas_tflite.node');

export interface NativeTensor {
  readonly name: string;
  /** TfLiteTypeGetName: FLOAT32, INT8, UINT8, INT32, ... */
  readonly type: string;
  readonly shape: readonly number[];
  readonly scale: number;
  readonly zeroPoint: number;
  readonly bytes: number;
}

/** What the XNNPack delegate took: the graph's nodes before delegation, how many XNNPack runs, in how many
 *  partitions, and the operators left on TFLite's own (reference/optimized builtin) kernels. */
export interface DelegationReport {
  readonly nodes: number;
  readonly delegated: number;
  readonly partitions: number;
  /** operator name → nodes of that operator TFLite runs itself */
  readonly kept: Readonly<Record<string, number>>;
  /** XNNPack has a thread pool (it makes one only for more than one thread) */
  readonly threadPool: boolean;
  /** nodes on layernas's int8 VNNI pointwise kernels (not counted in `delegated`), in how many partitions */
  readonly int8Kernels: number;
  readonly int8KernelPartitions: number;
}

interface RawDelegation {
  nodes: number;
  delegated: number;
  partitions: number;
  kept: Record<string, number>;
  threadPool: boolean;
  int8Kernels: number;
  int8KernelPartitions: number;
}

export type RunnerHandle = { readonly __runner: unique symbol };

export interface TfliteRunnerAddon {
  create(model: Uint8Array, threads: number, xnnpackFlags: number): RunnerHandle;
  describe(h: RunnerHandle): { inputs: NativeTensor[]; outputs: NativeTensor[]; delegation: RawDelegation | null };
  setInput(h: RunnerHandle, index: number, data: ArrayBufferView): void;
  getOutput(h: RunnerHandle, index: number, data: ArrayBufferView): void;
  invoke(h: RunnerHandle): void;
  time(h: RunnerHandle, runs: number): Float64Array;
}

const addons = new Map<string, TfliteRunnerAddon>();
const BUILD_SCRIPT = join(dataLocations().packageRoot, 'scripts', 'build-native.mjs');
let buildTried = false;

/** The default addon was not built (e.g. a checkout made before it existed): build it once (the script is atomic). */
function buildOnce(): void {
  if (buildTried) return;
  buildTried = true;
  try {
    execFileSync(process.execPath, [BUILD_SCRIPT], { stdio: 'ignore', timeout: 120_000 });
  } catch {
    // the caller reports the missing addon with the fix
  }
}

/** The addon at `path`, or undefined when it was not built (the default one is built on first use if it can be). */
export function loadRunnerAddon(path: string): TfliteRunnerAddon | undefined {
  const cached = addons.get(path);
  if (cached) return cached;
  if (!existsSync(path) && path === DEFAULT_TFLITE_RUNNER) buildOnce();
  if (!existsSync(path)) return undefined;
  const addon = createRequire(import.meta.url)(path) as TfliteRunnerAddon;
  addons.set(path, addon);
  return addon;
}

const OP_NAMES = new Map<number, string>(Object.entries(BuiltinOp).map(([name, code]) => [code, name]));

/** Builtin code → operator name (codes our writer does not emit keep their number). */
export function delegationReport(raw: RawDelegation): DelegationReport {
  const kept: Record<string, number> = {};
  for (const [code, count] of Object.entries(raw.kept)) kept[OP_NAMES.get(Number(code)) ?? `BUILTIN_${code}`] = count;
  return {
    nodes: raw.nodes, delegated: raw.delegated, partitions: raw.partitions, kept, threadPool: raw.threadPool,
    int8Kernels: raw.int8Kernels, int8KernelPartitions: raw.int8KernelPartitions,
  };
}
