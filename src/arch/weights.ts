/**
 * The layernas weights file (docs/weights-format.md): a directory with
 *  - `weights.json`: {format: 'layernas-weights', version: 1, arch, tensors: [{name, shape, dtype, offset, byteLength}]}
 *  - `weights.bin`: the tensors' float32 values, little-endian, row-major, PyTorch layouts, at the listed offsets.
 * Tensor names and shapes are those of `listParameters(spec)` (src/arch/params.ts).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { LayernasError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { ensureDir, writeFileAtomic } from '../core/write-atomic.js';
import { formatNetwork } from './grammar.js';
import { listParameters } from './params.js';
import type { NetworkSpec, ParamTensor } from './spec.js';

export const WEIGHTS_FORMAT = 'layernas-weights';
export const WEIGHTS_VERSION = 1;

export interface WeightTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}
export type WeightMap = ReadonlyMap<string, WeightTensor>;

export interface Weights {
  /** architecture string (formatNetwork) the weights belong to */
  readonly arch: string;
  readonly tensors: WeightMap;
}

const headerSchema = z.object({
  format: z.literal(WEIGHTS_FORMAT),
  version: z.literal(WEIGHTS_VERSION),
  arch: z.string().min(1),
  tensors: z.array(z.object({
    name: z.string().min(1),
    shape: z.array(z.number().int().nonnegative()),
    dtype: z.literal('float32'),
    offset: z.number().int().nonnegative(),
    byteLength: z.number().int().nonnegative(),
  })),
});
export type WeightsHeader = z.infer<typeof headerSchema>;

const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export async function readWeights(dir: string): Promise<Weights> {
  const jsonPath = join(dir, 'weights.json');
  const binPath = join(dir, 'weights.bin');
  let headerText: string;
  let bin: Buffer;
  try {
    headerText = await readFile(jsonPath, 'utf8');
    bin = await readFile(binPath);
  } catch (e) {
    throw new LayernasError('WEIGHTS_INVALID', `cannot read weights in ${dir}: ${(e as Error).message} (need weights.json + weights.bin)`, { dir }, { cause: e });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(headerText);
  } catch (e) {
    throw new LayernasError('WEIGHTS_INVALID', `${jsonPath} is not JSON: ${(e as Error).message}`, { file: jsonPath });
  }
  const parsed = headerSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new LayernasError('WEIGHTS_INVALID', `${jsonPath}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`, { file: jsonPath, path: issue?.path });
  }
  const tensors = new Map<string, WeightTensor>();
  for (const t of parsed.data.tensors) {
    const n = sizeOf(t.shape);
    if (t.byteLength !== n * 4 || t.offset % 4 !== 0 || t.offset + t.byteLength > bin.length) {
      throw new LayernasError('WEIGHTS_INVALID',
        `${jsonPath}: tensor '${t.name}' [${t.shape}] needs ${n * 4} bytes at a 4-aligned offset inside weights.bin (${bin.length} bytes), ` +
        `header says offset ${t.offset}, byteLength ${t.byteLength}`, { file: jsonPath, tensor: t.name });
    }
    if (tensors.has(t.name)) throw new LayernasError('WEIGHTS_INVALID', `${jsonPath}: tensor '${t.name}' listed twice`, { file: jsonPath, tensor: t.name });
    const data = new Float32Array(n);
    const view = new DataView(bin.buffer, bin.byteOffset + t.offset, t.byteLength);
    for (let i = 0; i < n; i++) data[i] = view.getFloat32(i * 4, true);
    tensors.set(t.name, { shape: t.shape, data });
  }
  return { arch: parsed.data.arch, tensors };
}

/** Write weights.bin then weights.json, each atomically (the header is written last: a complete header implies a complete bin). */
export async function writeWeights(dir: string, weights: Weights): Promise<void> {
  const header: WeightsHeader = { format: WEIGHTS_FORMAT, version: WEIGHTS_VERSION, arch: weights.arch, tensors: [] };
  let total = 0;
  for (const [, t] of weights.tensors) total += t.data.length * 4;
  const bin = new Uint8Array(total);
  const view = new DataView(bin.buffer);
  let offset = 0;
  for (const [name, t] of weights.tensors) {
    if (t.data.length !== sizeOf(t.shape)) {
      throw new LayernasError('WEIGHTS_INVALID', `tensor '${name}' has ${t.data.length} values but shape [${t.shape}]`, { tensor: name });
    }
    t.data.forEach((v, i) => view.setFloat32(offset + i * 4, v, true));
    header.tensors.push({ name, shape: [...t.shape], dtype: 'float32', offset, byteLength: t.data.length * 4 });
    offset += t.data.length * 4;
  }
  await ensureDir(dir);
  await writeFileAtomic(join(dir, 'weights.bin'), bin);
  await writeFileAtomic(join(dir, 'weights.json'), `${JSON.stringify(header, null, 1)}\n`);
}

/** WEIGHTS_INVALID when a tensor holds NaN or ±Inf (a diverged training run must not be exported). */
export function assertFiniteWeights(tensors: WeightMap): void {
  for (const [name, t] of tensors) {
    for (let i = 0; i < t.data.length; i++) {
      const v = t.data[i] as number;
      if (!Number.isFinite(v)) {
        throw new LayernasError('WEIGHTS_INVALID', `tensor '${name}' holds ${v} at element ${i}: the weights are not finite (a diverged training run?); nothing was exported`, { tensor: name, index: i });
      }
    }
  }
}

/** Check `tensors` hold exactly the parameters of `spec` with the right shapes; WEIGHTS_INVALID names the first problem. */
export function validateWeights(spec: NetworkSpec, tensors: WeightMap): void {
  const expected = listParameters(spec);
  const names = new Set(expected.map((p) => p.name));
  for (const p of expected) {
    const t = tensors.get(p.name);
    if (!t) {
      throw new LayernasError('WEIGHTS_INVALID', `weights lack tensor '${p.name}' (expected shape [${p.shape}])`, { tensor: p.name, expected: p.shape });
    }
    if (t.shape.length !== p.shape.length || t.shape.some((d, i) => d !== p.shape[i])) {
      throw new LayernasError('WEIGHTS_INVALID', `tensor '${p.name}' has shape [${t.shape}], the architecture needs [${p.shape}]`,
        { tensor: p.name, expected: p.shape, actual: t.shape });
    }
    if (t.data.length !== sizeOf(p.shape)) {
      throw new LayernasError('WEIGHTS_INVALID', `tensor '${p.name}' has ${t.data.length} values, shape [${p.shape}] needs ${sizeOf(p.shape)}`, { tensor: p.name });
    }
  }
  for (const name of tensors.keys()) {
    if (!names.has(name)) throw new LayernasError('WEIGHTS_INVALID', `weights have tensor '${name}' that the architecture does not use`, { tensor: name });
  }
}

function initTensor(p: ParamTensor, rng: Rng, fanIn: Map<string, number>): Float32Array {
  const n = sizeOf(p.shape);
  const a = new Float32Array(n);
  const leaf = p.name.slice(p.name.lastIndexOf('.') + 1);
  const isBn = /\.bn\.(weight|bias|running_mean|running_var)$/.test(p.name) || /^l\d+\.bn\./.test(p.name);
  if (isBn) {
    // non-trivial statistics so BN folding is exercised, scaled to keep activations near unit variance
    for (let i = 0; i < n; i++) {
      if (leaf === 'weight') a[i] = 0.5 + rng.next();
      else if (leaf === 'bias') a[i] = rng.normal() * 0.1;
      else if (leaf === 'running_mean') a[i] = rng.normal() * 0.1;
      else a[i] = 1 + rng.next();
    }
    return a;
  }
  if (leaf === 'weight' && p.shape.length === 4) {
    // He (Kaiming) uniform, variance 2 / fan-in, fan-in = in/groups * kh * kw
    const fan = (p.shape[1] as number) * (p.shape[2] as number) * (p.shape[3] as number);
    fanIn.set(p.name.slice(0, -'.weight'.length), fan);
    const bound = Math.sqrt(6 / fan);
    for (let i = 0; i < n; i++) a[i] = (rng.next() * 2 - 1) * bound;
    return a;
  }
  // linear weights and all biases: PyTorch default uniform(-1/sqrt(fan_in), 1/sqrt(fan_in))
  const fan = p.shape.length === 2 ? (p.shape[1] as number) : (fanIn.get(p.name.slice(0, -'.bias'.length)) ?? (p.shape[0] as number));
  if (p.shape.length === 2) fanIn.set(p.name.slice(0, -'.weight'.length), fan);
  const bound = 1 / Math.sqrt(fan);
  for (let i = 0; i < n; i++) a[i] = (rng.next() * 2 - 1) * bound;
  return a;
}

/** Deterministic random weights for `spec` (same seed → same bytes), in listParameters order. */
export function initWeights(spec: NetworkSpec, seed: number): Weights {
  const rng = new Rng(seed);
  const fanIn = new Map<string, number>();
  const tensors = new Map<string, WeightTensor>();
  for (const p of listParameters(spec)) tensors.set(p.name, { shape: p.shape, data: initTensor(p, rng, fanIn) });
  return { arch: formatNetwork(spec), tensors };
}
