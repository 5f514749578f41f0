/**
 * The real in-process trainer (src/train/trainer.ts trainNetwork) on the wasm backend chosen by the trainer's own
 * backend selection (which calls installWasmGradientKernels), on real Fashion-MNIST padded to 32x32: a short
 * epoch on a class-balanced subset. Prints the trainer's own img/s plus process-CPU img/s.
 *   npx tsx bench/train-kernels-trainer.ts [--images 1280]
 */
import { parseNetwork } from '../src/arch/grammar.js';
import { loadFashionMnist } from '../src/data/builtin.js';
import { DEFAULT_SPLIT } from '../src/data/types.js';
import { selectTrainingBackend } from '../src/train/backend.js';
import { buildNetwork } from '../src/train/network.js';
import { settingsFor } from '../src/train/settings.js';
import { trainNetwork } from '../src/train/trainer.js';
import { BENCH_NETWORK } from './train-kernels-net.js';

const argv = process.argv.slice(2);
const i = argv.indexOf('--images');
const images = i >= 0 ? Number(argv[i + 1]) : 1280;
const backend = await selectTrainingBackend('wasm');
console.log(`backend ${backend.name}: ${backend.reason}`);
const data = loadFashionMnist(DEFAULT_SPLIT);
const net = buildNetwork(parseNetwork(BENCH_NETWORK), 0);
const s = settingsFor('proxy', { epochs: 1, trainSubset: images, validationSubset: 1000, warmupSteps: 5 });
const c0 = process.cpuUsage();
const m = await trainNetwork(net, data, s, { bnGradient: 'fused', pointwise: 'conv' });
const cu = process.cpuUsage(c0);
console.log(`trained ${m.trainImages} images in ${m.wallSeconds.toFixed(1)} s wall (incl. validation): ` +
  `${m.imagesPerSecond.toFixed(1)} img/s (trainer's step timing), ${(m.trainImages / ((cu.user + cu.system) / 1e6)).toFixed(1)} img/CPU-s ` +
  `(whole run incl. validation), train loss ${m.trainLoss.toFixed(3)}, val acc ${m.valAccuracy.toFixed(3)}`);
net.dispose();
