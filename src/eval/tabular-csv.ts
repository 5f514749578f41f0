/**
 * Generic per-architecture CSV evaluator for users' own measurements: a column `arch` holding the architecture string
 * of the space (src/space/decode.ts) and numeric columns; one of them is the reward, all are reported as metrics.
 */
import { LayernasError } from '../core/errors.js';
import { readCsv, parseNumberCell } from '../space/data-files.js';
import { decodeArch } from '../space/decode.js';
import type { SearchSpace } from '../space/types.js';
import type { EvalRequest, EvalResult, Evaluator } from './types.js';

export class CsvTabularEvaluator implements Evaluator {
  readonly kind = 'csv-tabular';
  readonly options: Readonly<Record<string, unknown>>;
  private constructor(private readonly space: SearchSpace, private readonly rows: Map<string, EvalResult>, file: string, rewardColumn: string) {
    this.options = { file, rewardColumn };
  }

  static load(space: SearchSpace, file: string, rewardColumn: string, archColumn = 'arch'): CsvTabularEvaluator {
    const table = readCsv(file);
    const archCol = table.column(archColumn);
    const rewardCol = table.column(rewardColumn);
    const metricCols = table.header.map((h, i) => ({ h, i })).filter(({ i }) => i !== archCol);
    const rows = new Map<string, EvalResult>();
    for (let r = 0; r < table.rows.length; r++) {
      const arch = ((table.rows[r] as string[])[archCol] as string).trim();
      if (rows.has(arch)) throw new LayernasError('TABLE_INVALID', `${file}:${table.lines[r]}: architecture ${arch} appears twice`, { file, line: table.lines[r] });
      const metrics: Record<string, number> = {};
      for (const { h, i } of metricCols) metrics[h] = parseNumberCell(table, r, i);
      rows.set(arch, { reward: parseNumberCell(table, r, rewardCol), metrics });
    }
    return new CsvTabularEvaluator(space, rows, file, rewardColumn);
  }

  get size(): number {
    return this.rows.size;
  }

  async evaluate(request: EvalRequest): Promise<EvalResult> {
    const arch = decodeArch(this.space, request.dna);
    const row = this.rows.get(arch);
    if (!row) throw new LayernasError('TABLE_MISSING_KEY', `${String(this.options.file)} has no row for architecture ${arch}`, { key: arch, table: this.options.file });
    return row;
  }
}
