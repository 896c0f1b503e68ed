import { numberOption } from '../args.js';
import { runBench } from '../bench.js';
import { parseDevice } from '../../engine/onnx/providers.js';
import type { Command } from '../command.js';

export const benchCommand: Command = {
  summary: 'measure model load time, ms per LM step and generation speed (median of runs)',
  usage: 'agx bench [--runs N] [--json]',
  options: {
    runs: { type: 'string', help: 'timed runs per measurement (default 5)' },
    methods: { type: 'boolean', help: 'also time every explanation method in its own process (time and peak memory; slow)' },
  },
  async run(values) {
    const runs = numberOption(values, 'runs', 5, (n) => Number.isInteger(n) && n >= 1 && n <= 100, 'an integer from 1 to 100');
    return runBench({
      model: typeof values.model === 'string' ? values.model : undefined,
      runs,
      threads: numberOption(values, 'threads', 0),
      device: parseDevice(values.device),
      methods: values.methods === true,
    });
  },
};
