/** Reading the tabular data files the benchmark spaces use (CSV with a header row, JSON). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LayernasError, type ErrorCode } from '../core/errors.js';
import { dataLocations } from '../core/locations.js';

/** Where the shared benchmark data live: $LAYERNAS_DATA_DIR, else ../shared/data beside the package (core/locations.ts). */
export function sharedDataDir(): string {
  return dataLocations().sharedData;
}

export interface CsvTable {
  readonly file: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** 1-based line number of each row in the file */
  readonly lines: readonly number[];
  column(name: string): number;
}

/** Minimal CSV (no quoted commas; our data files have none). Errors name file and line. */
export function readCsv(file: string, code: ErrorCode = 'TABLE_INVALID'): CsvTable {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new LayernasError(code === 'TABLE_INVALID' ? 'DATASET_MISSING' : code, `cannot read ${file}: ${(e as Error).message}`, { file });
  }
  const all = text.split(/\r?\n/);
  const header = (all[0] ?? '').split(',').map((s) => s.trim());
  const rows: string[][] = [];
  const lines: number[] = [];
  for (let i = 1; i < all.length; i++) {
    const line = all[i] as string;
    if (line.trim() === '') continue;
    const cells = line.split(',');
    if (cells.length !== header.length) {
      throw new LayernasError(code, `${file}:${i + 1}: expected ${header.length} columns, found ${cells.length}`, { file, line: i + 1 });
    }
    rows.push(cells);
    lines.push(i + 1);
  }
  return {
    file,
    header,
    rows,
    lines,
    column(name: string): number {
      const idx = header.indexOf(name);
      if (idx < 0) throw new LayernasError(code, `${file}: no column "${name}" (columns: ${header.join(', ')})`, { file, column: name });
      return idx;
    },
  };
}

export function parseNumberCell(table: CsvTable, row: number, col: number, code: ErrorCode = 'TABLE_INVALID'): number {
  const raw = table.rows[row]?.[col] ?? '';
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v)) {
    throw new LayernasError(code, `${table.file}:${table.lines[row]}: column ${table.header[col]} is not a number ("${raw}")`, {
      file: table.file,
      line: table.lines[row],
    });
  }
  return v;
}
