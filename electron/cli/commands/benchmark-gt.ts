import { join, relative, resolve } from 'node:path';
import { AgxError } from '../../common/errors.js';
import { AUDIOGENX_METHODS, AUDIOGENX_PRESETS, isAudioGenX, parseMethodParams } from '../../common/methods.js';
import { getMethod, METHODS } from '../../engine/explain/index.js';
import { benchmarkGroundTruth } from '../../engine/ground-truth.js';
import { embeddedModelsDir } from '../../engine/manifest.js';
import { numberOption } from '../args.js';
import { type Command, openModel } from '../command.js';
import { Progress } from '../progress.js';

export const benchmarkGtCommand: Command = {
  summary: 'score explanation methods against the ground truth of synthesised held-out clips',
  usage: 'agx benchmark-gt [--methods LIST] [--preset NAME] [--epochs N] [--scaling matrix|step] [--set DIR] [--json]',
  options: {
    methods: {
      type: 'string',
      help: `comma-separated (default: all); any of: ${Object.keys(METHODS).join(', ')}; audiogenx:PRESET (or audiogenx-np:PRESET) scores a preset beside the default (e.g. audiogenx,audiogenx:paper)`,
    },
    preset: { type: 'string', help: `AudioGenX's settings: ${Object.keys(AUDIOGENX_PRESETS).join(', ')} (default: the shipped default)` },
    epochs: { type: 'string', help: "AudioGenX epochs (default: the preset's)" },
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
    const epochs =
      values.epochs === undefined
        ? {}
        : { epochs: numberOption(values, 'epochs', 50, (n) => Number.isInteger(n) && n >= 1 && n <= 1000, 'an integer from 1 to 1000') };
    const scaling = typeof values.scaling === 'string' ? values.scaling : 'matrix';
    // the catalog checks every value (an unknown preset too) before any model work; AudioGenX has no
    // scaling (its mask is already in [0, 1])
    const params = Object.fromEntries(
      methods.map((run) => {
        const [name, preset, extra] = run.split(':');
        getMethod(name!);
        if (extra !== undefined || (preset !== undefined && !isAudioGenX(name!)))
          throw new AgxError(
            'bad_argument',
            `--methods: "${run.slice(0, 64)}": only ${AUDIOGENX_METHODS.join(' and ')} take a preset (audiogenx:NAME)`,
          );
        const given = preset ?? (typeof values.preset === 'string' ? values.preset : undefined);
        return [
          run,
          isAudioGenX(name!)
            ? parseMethodParams(name!, { ...epochs, ...(given ? { preset: given } : {}) })
            : parseMethodParams(name!, { scaling }),
        ];
      }),
    );
    const root = join(embeddedModelsDir(), '..');
    const dir = resolve(typeof values.set === 'string' ? values.set : join(root, 'test', 'fixtures', 'gt'));
    const model = await openModel(values);
    const progress = new Progress('benchmark');
    const scores = await benchmarkGroundTruth(model, dir, methods, params, (d, n) => progress.update(d / n));
    progress.done();
    // a set inside the project is recorded relative to it, so committed results name no machine's path
    const inProject = relative(root, dir);
    return { methods: scores, params, scaling, set: inProject.startsWith('..') ? dir : inProject };
  },
};
