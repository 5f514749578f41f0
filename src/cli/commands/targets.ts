/**
 * `layernas targets list` | `targets show <id|file>` | `targets check <id|file>` | `targets convert [--shared dir] [--out dir]`
 * list: shipped targets; show: one target and its tables' metadata; check: validate a target file and its tables
 * (schema, negative latency, runtime version / threads / precision match); convert: rebuild the shipped phone tables
 * from the shared data folder.
 */
import { dataLocations } from '../../core/locations.js';
import { parseArgs } from '../options.js';
import type { CommandModule } from 'yargs';
import { z } from 'zod';
import { loadTargetTables } from '../../cost/latency-table.js';
import { convertShippedTables } from '../../cost/table-convert/shipped.js';
import { loadAllTargets, resolveTarget, shippedTargetsDir } from '../../targets/load.js';
import { coveredSpaces, tableInputs } from '../../design/space-coverage.js';
import { resolvePlatform } from '../../platform/registry.js';
import { renderTable } from '../table.js';

const json = (v: unknown): string => `${JSON.stringify(v, null, 1)}\n`;

function describeTarget(idOrFile: string): Record<string, unknown> {
  const loaded = resolveTarget(idOrFile);
  const { tables, warnings } = loadTargetTables(loaded.tableFiles, loaded.target);
  return {
    ...loaded.target,
    file: loaded.file,
    tables: tables.map((t) => ({ file: t.file, entries: t.byKey.size, fixed_ms: t.fixedTotalMs, ...t.data.metadata })),
    warnings,
  };
}

export const targetsCommand: CommandModule = {
  command: 'targets <action> [target]',
  describe: 'list, show or check targets and their latency tables; convert the shipped phone tables',
  builder: (y) =>
    y
      .positional('action', { choices: ['list', 'show', 'check', 'convert'] as const, demandOption: true })
      .positional('target', { type: 'string', describe: 'target id or target .json file (show, check)' })
      .option('shared', { type: 'string', default: dataLocations().sharedData, describe: 'shared data folder (convert)' })
      .option('out', { type: 'string', default: dataLocations().latencyTables, describe: 'output folder (convert)' })
      .option('json', { type: 'boolean', default: false }),
  handler: (argv) => {
    const args = parseArgs('targets', z.object({ action: z.enum(['list', 'show', 'check', 'convert']), target: z.string().optional(), shared: z.string(), out: z.string(), json: z.boolean() }), argv);
    switch (args.action) {
      case 'list': {
        const all = loadAllTargets().map((l) => ({
          id: l.target.id, device: l.target.device, runtime: `${l.target.runtime.name} ${l.target.runtime.version}`, precision: l.target.precision, threads: l.target.threads,
          measure: l.target.measure.method, tables: l.tableFiles.length, inputs: tableInputs(l), spaces: coveredSpaces(l).map((c) => c.space), profilesOnHost: resolvePlatform(l.target).onHost,
        }));
        const spacesOf = (t: (typeof all)[number]): string => `${t.spaces.join(',') || '-'}${t.profilesOnHost ? ' (+ others: design profiles them)' : ''}`;
        process.stdout.write(args.json ? json(all) : renderTable(
          [{ title: 'target', align: 'left' }, { title: 'measure', align: 'left' }, { title: 'precision', align: 'left' }, { title: 'threads', align: 'right' }, { title: 'table inputs', align: 'left' }, { title: 'spaces covered', align: 'left' }, { title: 'device', align: 'left' }],
          all.map((t) => [t.id, t.measure, t.precision, String(t.threads), t.inputs.join(',') || '-', spacesOf(t), t.device]),
        ) + '\n');
        return;
      }
      case 'show':
      case 'check': {
        if (!args.target) throw new z.ZodError([{ code: 'custom', path: ['target'], message: `targets ${args.action} needs a target id or file` }]);
        const d = describeTarget(args.target);
        process.stdout.write(args.action === 'show' || args.json ? json(d) : `ok: ${String(d.id)} (${String(d.file)}), ${(d.tables as unknown[]).length} table(s) valid and matching${(d.warnings as string[]).map((w) => `\nwarning: ${w}`).join('')}\n`);
        return;
      }
      case 'convert': {
        const written = convertShippedTables(args.shared, args.out);
        process.stdout.write(args.json ? json(written) : written.map((w) => `wrote ${w.file} (${w.entries} entries)`).join('\n') + '\n');
        return;
      }
    }
  },
};
