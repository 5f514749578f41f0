/**
 * One platform registry (src/platform/): nothing else in src/ switches on runtime names, measure methods or model
 * file extensions, or constructs a runtime / device runner itself. The same search as a shell command:
 *   N="tflite|onnx|onnxruntime|host-tflite|host-onnxruntime|android-adb"
 *   grep -rnE "(===|!==|==|!=)\s*'($N)'|'($N)'\s*(===|!==|==|!=)|case\s+'($N)'|endsWith\(\s*'\.(tflite|onnx)'|\\\.(tflite|onnx)|includes\(\s*'($N)'\)|instanceof\s+(AndroidBackend|HostBackend|TfliteRuntime|OnnxRuntime|TfjsLayersRuntime)|new\s+(TfliteRuntime|OnnxRuntime|TfjsLayersRuntime|AndroidBenchmarkRunner)\(" src | grep -v '^src/platform/'
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sourceFiles } from './import-graph.js';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));
const REGISTRY = 'platform/';

const NAMES = 'tflite|onnx|onnxruntime|host-tflite|host-onnxruntime|android-adb';
const SWITCH = new RegExp([
  `(===|!==|==|!=)\\s*'(${NAMES})'`,
  `'(${NAMES})'\\s*(===|!==|==|!=)`,
  `case\\s+'(${NAMES})'`,
  `endsWith\\(\\s*'\\.(tflite|onnx)'`,
  `\\\\\\.(tflite|onnx)`,
  `includes\\(\\s*'(${NAMES})'\\)`,
  'instanceof\\s+(AndroidBackend|HostBackend|TfliteRuntime|OnnxRuntime|TfjsLayersRuntime)',
  'new\\s+(TfliteRuntime|OnnxRuntime|TfjsLayersRuntime|AndroidBenchmarkRunner)\\(',
].join('|'));

function switchesIn(file: string, text: string): string[] {
  return text.split('\n').flatMap((line, i) => (SWITCH.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : []));
}

const found = sourceFiles(SRC).flatMap((f) => switchesIn(relative(SRC, f), readFileSync(f, 'utf8')));

test('no switch on runtime names, measure methods or model file extensions outside src/platform', () => {
  assert.deepEqual(found.filter((l) => !l.startsWith(REGISTRY)), []);
});

test('the registry itself is found by the search (the search is not blind)', () => {
  assert.ok(found.some((l) => l.startsWith(`${REGISTRY}host-runtimes.ts`) && l.includes('new TfliteRuntime(')), found.join('\n'));
  assert.ok(found.some((l) => l.startsWith(`${REGISTRY}registry.ts`) && l.includes('new AndroidBenchmarkRunner(')), found.join('\n'));
});

test('the search catches each kind of switch', () => {
  const samples = [
    "return file.endsWith('.onnx') ? a : b;",
    "if (target.measure.method !== 'android-adb') check();",
    "const f = target.runtime.name === 'tflite' ? 'tflite' : 'onnx';",
    "case 'host-tflite':",
    'if (backend instanceof AndroidBackend) {',
    "const rt = new OnnxRuntime();",
    "if (a.format.includes('onnx')) x();",
    'const isTflite = /\\.tflite$/.test(file);',
  ];
  for (const s of samples) assert.equal(switchesIn('x.ts', s).length, 1, s);
  // data, not switches: schema enums, ids, typed maps keyed by format
  for (const s of ["name: z.enum(['tflite', 'onnxruntime']),", "readonly id = 'onnxruntime';", "tflite: () => makeIt(),"]) assert.equal(switchesIn('x.ts', s).length, 0, s);
});
