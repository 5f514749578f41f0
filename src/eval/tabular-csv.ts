/**
 * Your own per-architecture measurements as a CSV: one row per architecture, an `arch` (or `arch_str`) column holding
 * the space's architecture string (src/space/decode.ts) and numeric columns (a reward such as accuracy, costs such as
 * latency). Parsed with csv-parse (quoted fields, BOM, CRLF). Everything is checked when the file is loaded, before
 * any trial: an architecture that is not one of the space (a typo), a duplicate, a cell that is not a number in a
 * column the study uses, and (for spaces small enough to enumerate) every architecture the space can propose that
 * has no row are typed errors naming the file and line.
 */
import { LayernasError } from '../core/errors.js';
import { readCsv, type CsvTable } from '../space/data-files.js';
import { decodeArch, encodeArch } from '../space/decode.js';
import { dnaFromIndex, dnaIndex, dnaKey, isValidDna, spaceSize, type Dna, type SearchSpace } from '../space/types.js';
import type { EvalRequest, EvalResult, Evaluator } from './types.js';

/** Spaces up to this many architectures must be covered completely by a user CSV (checked at load). */
export const CSV_COVERAGE_LIMIT = 1_000_000;

export class UserCsvTable {
  private constructor(
    readonly file: string,
    readonly space: SearchSpace,
    private readonly table: CsvTable,
    /** row index by DNA key */
    private readonly rowOf: Map<string, number>,
    readonly complete: boolean,
  ) {}

  /** `required`: columns that must exist and hold a number in every row (the reward and cost columns). */
  static load(space: SearchSpace, file: string, required: readonly string[]): UserCsvTable {
    const table = readCsv(file);
    const archCol = table.header.includes('arch') ? table.column('arch') : table.header.includes('arch_str') ? table.column('arch_str') : table.column('arch');
    const cols = required.map((c) => table.column(c));
    const rowOf = new Map<string, number>();
    for (let r = 0; r < table.rows.length; r++) {
      const line = table.lines[r] as number;
      const arch = ((table.rows[r] as string[])[archCol] as string).trim();
      let dna: number[];
      try {
        dna = encodeArch(space, arch);
      } catch (e) {
        throw new LayernasError('TABLE_INVALID', `${file}:${line}: "${arch}" is not an architecture of space ${space.name} (${(e as Error).message})`, { file, line, arch });
      }
      if (!isValidDna(space, dna)) throw new LayernasError('TABLE_INVALID', `${file}:${line}: "${arch}" is not an architecture of space ${space.name}`, { file, line, arch });
      const key = dnaKey(dna);
      const before = rowOf.get(key);
      if (before !== undefined) throw new LayernasError('TABLE_INVALID', `${file}:${line}: architecture ${arch} appears twice (also line ${table.lines[before]})`, { file, line, arch });
      rowOf.set(key, r);
      for (let j = 0; j < cols.length; j++) {
        const raw = ((table.rows[r] as string[])[cols[j] as number] ?? '').trim();
        const v = Number(raw);
        if (raw === '' || !Number.isFinite(v)) {
          throw new LayernasError('TABLE_INVALID', `${file}:${line}: column ${required[j]} is not a number ("${raw}")`, { file, line, column: required[j] });
        }
      }
    }
    const n = spaceSize(space);
    const enumerable = n <= CSV_COVERAGE_LIMIT;
    if (enumerable && rowOf.size < n) {
      let missing = 0;
      let first = -1;
      for (let i = 0; i < n; i++) {
        if (rowOf.has(dnaKey(dnaFromIndex(space, i)))) continue;
        missing++;
        if (first < 0) first = i;
      }
      const dna = dnaFromIndex(space, first);
      const prev = first > 0 ? rowOf.get(dnaKey(dnaFromIndex(space, first - 1))) : undefined;
      const where = prev !== undefined ? `; in space order it belongs after line ${table.lines[prev]}` : '';
      throw new LayernasError(
        'TABLE_MISSING_KEY',
        `${file}: no row for architecture ${decodeArch(space, dna)} (${missing} of the ${n} architectures of space ${space.name} have no row${where}); every architecture the search can propose needs one`,
        { table: file, key: decodeArch(space, dna), missing },
      );
    }
    return new UserCsvTable(file, space, table, rowOf, enumerable);
  }

  get size(): number {
    return this.rowOf.size;
  }

  /** Row of an architecture, or undefined. */
  row(dna: Dna): number | undefined {
    return this.rowOf.get(dnaKey(dna));
  }

  /** Number in a column for a row (columns not checked at load may hold text: NaN). */
  value(row: number, column: string): number {
    const raw = ((this.table.rows[row] as string[])[this.table.column(column)] ?? '').trim();
    return raw === '' ? NaN : Number(raw);
  }

  /** A numeric column for every architecture, indexed by dnaIndex (needs a complete table). */
  columnByIndex(column: string): Float64Array {
    if (!this.complete) throw new LayernasError('USAGE', `${this.file}: space ${this.space.name} is too large for a per-architecture CSV column`, { file: this.file });
    const col = this.table.column(column);
    const out = new Float64Array(spaceSize(this.space));
    for (const [key, r] of this.rowOf) {
      const dna = key.split('-').map(Number);
      out[dnaIndex(this.space, dna)] = Number(((this.table.rows[r] as string[])[col] as string).trim());
    }
    return out;
  }

  /** numeric columns other than the architecture column (reported as metrics) */
  numericColumns(): string[] {
    const first = this.table.rows[0] ?? [];
    return this.table.header.filter((h, i) => h !== 'arch' && h !== 'arch_str' && first[i] !== undefined && first[i]!.trim() !== '' && Number.isFinite(Number(first[i])));
  }
}

export class CsvTabularEvaluator implements Evaluator {
  readonly kind = 'csv-tabular';
  readonly options: Readonly<Record<string, unknown>>;
  private readonly metricColumns: string[];
  private constructor(private readonly table: UserCsvTable, private readonly rewardColumn: string) {
    this.options = { file: table.file, rewardColumn };
    this.metricColumns = table.numericColumns();
  }

  static load(space: SearchSpace, file: string, rewardColumn: string, costColumns: readonly string[] = []): CsvTabularEvaluator {
    return new CsvTabularEvaluator(UserCsvTable.load(space, file, [rewardColumn, ...costColumns]), rewardColumn);
  }

  static fromTable(table: UserCsvTable, rewardColumn: string): CsvTabularEvaluator {
    return new CsvTabularEvaluator(table, rewardColumn);
  }

  get size(): number {
    return this.table.size;
  }

  async evaluate(request: EvalRequest): Promise<EvalResult> {
    const r = this.table.row(request.dna);
    if (r === undefined) {
      const arch = decodeArch(this.table.space, request.dna);
      throw new LayernasError('TABLE_MISSING_KEY', `${this.table.file} has no row for architecture ${arch}`, { key: arch, table: this.table.file });
    }
    const metrics: Record<string, number> = {};
    for (const c of this.metricColumns) {
      const v = this.table.value(r, c);
      if (Number.isFinite(v)) metrics[c] = v;
    }
    return { reward: this.table.value(r, this.rewardColumn), metrics };
  }
}
