/** Reading the tabular data files the benchmark spaces use (CSV with a header row, JSON). */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
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

/**
 * CSV through csv-parse (RFC 4180: quoted fields with commas, quotes and newlines, a UTF-8 BOM, CRLF or LF, blank
 * lines skipped). Every row must have the header's column count. Errors name the file and the line.
 */
export function readCsv(file: string, code: ErrorCode = 'TABLE_INVALID'): CsvTable {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new LayernasError(code === 'TABLE_INVALID' ? 'DATASET_MISSING' : code, `cannot read ${file}: ${(e as Error).message}`, { file });
  }
  let records: { record: string[]; info: { lines: number } }[];
  if (!text.includes('"')) {
    // no quotes: plain splitting is exactly RFC 4180 here and ~10x faster than the general parser, which matters for
    // the 15,625-row benchmark tables read inside queue workers (a long synchronous parse stalls their job locks)
    const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    records = [];
    body.split(/\r?\n/).forEach((line, i) => {
      if (line.trim() !== '') records.push({ record: line.split(','), info: { lines: i + 1 } });
    });
  } else {
    try {
      records = parse(text, { bom: true, info: true, skip_empty_lines: true, relax_column_count: true }) as unknown as { record: string[]; info: { lines: number } }[];
    } catch (e) {
      const line = (e as { lines?: number }).lines;
      throw new LayernasError(code, `${file}${line !== undefined ? `:${line}` : ''}: not valid CSV: ${(e as Error).message}`, { file, ...(line !== undefined ? { line } : {}) });
    }
  }
  const header = (records[0]?.record ?? []).map((h) => h.trim());
  const rows: string[][] = [];
  const lines: number[] = [];
  for (let i = 1; i < records.length; i++) {
    const { record, info } = records[i] as { record: string[]; info: { lines: number } };
    if (record.length === 1 && (record[0] as string).trim() === '') continue;
    if (record.length !== header.length) {
      throw new LayernasError(code, `${file}:${info.lines}: expected ${header.length} columns, found ${record.length}`, { file, line: info.lines });
    }
    rows.push(record);
    lines.push(info.lines);
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
