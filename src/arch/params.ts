/**
 * Every named parameter tensor of a network, PyTorch layout (conv OIHW [out, in/groups, kh, kw]; linear [out, in]).
 * Naming (docs/weights-format.md): `l{layerIndex}.{module}.weight|bias`, batch norm of a conv module as
 * `l{i}.{module}.bn.weight|bias|running_mean|running_var`, a stand-alone BN (bnact) as `l{i}.bn.*`.
 * Running statistics are buffers (trainable = false).
 */
import { layerPrimitives, type Primitive } from './primitives.js';
import { walkShapes } from './shapes.js';
import type { NetworkSpec, ParamTensor } from './spec.js';

function bnTensors(prefix: string, channels: number): ParamTensor[] {
  return [
    { name: `${prefix}.weight`, shape: [channels], trainable: true },
    { name: `${prefix}.bias`, shape: [channels], trainable: true },
    { name: `${prefix}.running_mean`, shape: [channels], trainable: false },
    { name: `${prefix}.running_var`, shape: [channels], trainable: false },
  ];
}

export function primitiveTensors(layerIndex: number, p: Primitive): ParamTensor[] {
  const base = `l${layerIndex}.${p.module}`;
  switch (p.kind) {
    case 'conv': {
      const t: ParamTensor[] = [{ name: `${base}.weight`, shape: [p.cout, p.cin / p.groups, p.kernel, p.kernel], trainable: true }];
      if (p.bias) t.push({ name: `${base}.bias`, shape: [p.cout], trainable: true });
      if (p.bn) t.push(...bnTensors(`${base}.bn`, p.cout));
      return t;
    }
    case 'linear': {
      const t: ParamTensor[] = [{ name: `${base}.weight`, shape: [p.cout, p.cin], trainable: true }];
      if (p.bias) t.push({ name: `${base}.bias`, shape: [p.cout], trainable: true });
      return t;
    }
    case 'bn':
      return bnTensors(base, p.channels);
  }
}

/** All tensors in layer order, then module order within a layer. Throws SPEC_INVALID like walkShapes. */
export function listParameters(spec: NetworkSpec): ParamTensor[] {
  return walkShapes(spec).flatMap((row) => layerPrimitives(row.layer, row.input).flatMap((p) => primitiveTensors(row.index, p)));
}

export function tensorSize(t: ParamTensor): number {
  return t.shape.reduce((a, b) => a * b, 1);
}

/** Number of trainable parameters (sum of trainable tensor sizes). */
export function countTrainable(tensors: readonly ParamTensor[]): number {
  return tensors.filter((t) => t.trainable).reduce((s, t) => s + tensorSize(t), 0);
}
