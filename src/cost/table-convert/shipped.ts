/**
 * Writes the phone tables layernas ships (latency-tables/) from shared/data. Used by `layernas targets convert`.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LayernasError } from '../../core/errors.js';
import type { LatencyTableData } from '../latency-table.js';
import { convertFbnetLut } from './fbnet-lut.js';
import { convertProxylessPixel1 } from './proxyless-pixel1.js';

export interface ConvertedTable {
  readonly file: string;
  readonly entries: number;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new LayernasError('DATASET_MISSING', `cannot read ${file}: ${(e as Error).message} (expected the shared data folder with proxylessnas-pixel1/ and fbnet/)`, { file }, { cause: e });
  }
}

/** Write a table atomically (temporary file, then rename). */
export function writeTableFile(file: string, data: LatencyTableData): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(data, null, 1)}\n`);
  renameSync(tmp, file);
}

export function convertShippedTables(sharedDataDir: string, outDir: string): ConvertedTable[] {
  const written: ConvertedTable[] = [];
  const proxyless = convertProxylessPixel1(readJson(join(sharedDataDir, 'proxylessnas-pixel1', 'pixel1_trim_lut.json')), 'proxylessnas-pixel1/pixel1_trim_lut.json');
  const pFile = join(outDir, 'pixel1-tflite-proxylessnas-224.json');
  writeTableFile(pFile, proxyless);
  written.push({ file: pFile, entries: proxyless.entries.length });
  const fbnetRaw = readJson(join(sharedDataDir, 'fbnet', 'fbnet_lut_reconstructed_cifar100.json'));
  for (const device of ['pixel3', 'raspi4']) {
    const t = convertFbnetLut(fbnetRaw, device, 'fbnet/fbnet_lut_reconstructed_cifar100.json');
    const f = join(outDir, `${device}-tflite-fbnet-32.json`);
    writeTableFile(f, t);
    written.push({ file: f, entries: t.entries.length });
  }
  return written;
}
