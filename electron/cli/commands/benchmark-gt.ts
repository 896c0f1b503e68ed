import { join, resolve } from 'node:path';
import { parseMethodParams } from '../../common/methods.js';
import { getMethod, METHODS } from '../../engine/explain/index.js';
import { benchmarkGroundTruth } from '../../engine/ground-truth.js';
import { embeddedModelsDir } from '../../engine/manifest.js';
import { numberOption } from '../args.js';
import { type Command, openModel } from '../command.js';
import { Progress } from '../progress.js';

export const benchmarkGtCommand: Command = {
  summary: 'score explanation methods against the ground truth of synthesised held-out clips',
  usage: 'agx benchmark-gt [--methods LIST] [--epochs N] [--scaling matrix|step] [--set DIR] [--json]',
  options: {
    methods: { type: 'string', help: `comma-separated (default: all); any of: ${Object.keys(METHODS).join(', ')}` },
    epochs: { type: 'string', help: 'AudioGenX epochs (default 50)' },
    scaling: { type: 'string', help: "how the baselines' scores become masks: matrix (default) or step (min-max per step)" },
    set: { type: 'string', help: 'folder with gt.json and WAVs (default: test/fixtures/gt of this project)' },
  },
  async run(values) {
    const methods =
      typeof values.methods === 'string'
        ? values.methods
            .split(',')
            .map((x) => x.trim())
            .filter((x) => x)
        : Object.keys(METHODS);
    methods.forEach((x) => getMethod(x));
    const epochs = numberOption(values, 'epochs', 50, (n) => Number.isInteger(n) && n >= 1 && n <= 1000, 'an integer from 1 to 1000');
    const dir = resolve(typeof values.set === 'string' ? values.set : join(embeddedModelsDir(), '..', 'test', 'fixtures', 'gt'));
    const model = await openModel(values);
    const progress = new Progress('benchmark');
    const scaling = typeof values.scaling === 'string' ? values.scaling : 'matrix';
    // the catalog checks the value; AudioGenX has no scaling (its mask is already in [0, 1])
    const params = Object.fromEntries(methods.map((m) => [m, m === 'audiogenx' ? { epochs } : parseMethodParams(m, { scaling })]));
    const scores = await benchmarkGroundTruth(model, dir, methods, params, (d, n) => progress.update(d / n));
    progress.done();
    return { methods: scores, scaling, set: dir };
  },
};
