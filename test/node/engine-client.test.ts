// The engine client survives a job it cannot hand to the worker: that job fails with a clear error and
// the next job runs (a failed post used to leave the client "running" until restart).
import { afterAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../electron/engine/audio/wav.js';
import { EngineClient } from '../../electron/studio/engine-client.js';

const engine = new EngineClient({ threads: 2 });
afterAll(() => engine.close());

describe('EngineClient', () => {
  it('rejects a task that cannot be posted and runs the next one', async () => {
    // A function cannot be structured-cloned, so postMessage throws, as a too-deep message does.
    const uncloneable = {
      kind: 'explain',
      prompt: 'a dog barks',
      codes: new Int32Array(4),
      frames: 1,
      method: 'random',
      params: { bad: () => 0 },
    } as const;
    const failed = await engine.run(uncloneable).catch((err: unknown) => err);
    const wav = encodeWav(new Float32Array(3200), 16000, 'pcm16');
    const next = await engine.run({ kind: 'import', wav, prompt: 'silence' }).catch((err: unknown) => err);
    expect(next).toMatchObject({ frames: 5 });
    expect(failed).toMatchObject({
      code: 'internal',
      message: expect.stringMatching(/^the engine could not be sent this job \(.*could not be cloned.*\)$/),
    });
  });
});
