/** `layernas zoo [--json]`: the model zoo with MAdds and params at each model's default input. */
import type { CommandModule } from 'yargs';
import { networkCost } from '../../arch/shapes.js';
import { ZOO, ZOO_FAMILIES } from '../../arch/zoo.js';
import { groupDigits, renderTable } from '../table.js';

interface ZooArgs { json: boolean }

export function zooListing(): { name: string; input: number; madds: number; params: number; description: string }[] {
  return [...ZOO.values()].map((e) => {
    const c = networkCost(e.build({}));
    return { name: e.name, input: e.defaultInput, madds: c.madds, params: c.params, description: e.description };
  });
}

export const zooCommand: CommandModule<object, ZooArgs> = {
  command: 'zoo',
  describe: 'list the model zoo (names usable with `layernas cost`)',
  builder: (y) => y.option('json', { type: 'boolean', default: false, describe: 'print JSON' })
    .example('$0 zoo', 'every zoo model with MAdds and params')
    .example('$0 cost mobilenet_v2_100 --target host-tflite-1t', 'then price one of them on a target') as never,
  handler: (argv) => {
    const models = zooListing();
    if (argv.json) {
      process.stdout.write(`${JSON.stringify({ models, families: ZOO_FAMILIES }, null, 2)}\n`);
      return;
    }
    const table = renderTable(
      [{ title: 'name', align: 'left' }, { title: 'input', align: 'right' }, { title: 'MAdds', align: 'right' }, { title: 'params', align: 'right' }, { title: 'description', align: 'left' }],
      models.map((m) => [m.name, String(m.input), groupDigits(m.madds), groupDigits(m.params), m.description]),
    );
    const families = ZOO_FAMILIES.map((f) => `  ${f.prefix}...  ${f.description}\n    e.g. layernas cost '${f.example}'`).join('\n');
    process.stdout.write(`${table}\n\nfamilies (name with parameters):\n${families}\n`);
  },
};
