/**
 * Zoo networks and random search-space architectures, lowered by src/graph/lower.ts, written as TFLite and run
 * with XNNPack: float32 within 1e-4 (relative) of the reference forward pass; int8 loads and runs.
 * A small sample to keep CI time low (224-px networks at 64 px, 4 architectures per space); the full
 * sweep (every zoo network at its own resolution, 50 architectures per space) is bench/tflite-parity-sweep.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TfliteRuntime } from '../../src/runtime/tflite.js';
import { checkCase, spaceCases, zooCases } from './tflite-sweep.js';

const runtime = new TfliteRuntime({ xnnpack: 'auto' });
const small = (name: string): number | undefined => (name.includes('mobilenet') ? 64 : undefined);
const PER_SPACE = 4;

[...zooCases(small), ...spaceCases(PER_SPACE, 2024, small)].forEach((c, i) => {
  const int8 = c.label.startsWith('zoo') || i % PER_SPACE === 0;  // int8 for every zoo net and one per space
  test(`${c.label}${int8 ? ' (+int8)' : ''}`, async () => {
    const r = await checkCase(c, runtime, int8);
    assert.ok(r.floatError <= 1e-4, `float relative error ${r.floatError}`);
    if (int8) assert.ok(r.int8Error !== undefined && Number.isFinite(r.int8Error), `int8 output not finite (${r.int8Error})`);
  });
});
