import * as assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { isInputError } from '../../../../src/core/errors';
import { bundledPriceTable } from '../../../../src/core/tokens/pricing/priceTable';
import { validateFileOffThread } from '../../../../src/core/trajectory/offThread';
import { readTrajectoryFile } from '../../../../src/core/trajectory/read';
import { defaultTrajectoryConfig, validateTrajectories } from '../../../../src/core/trajectory/validate';
import { corpusFile } from '../../corpus';

// From source: the worker runs the .ts entry through tsx.
const workerPath = resolve(__dirname, '../../../../src/core/trajectory/fileWorker.ts');

describe('core/trajectory/offThread: validating a file in a worker thread', function () {
  this.timeout(60_000);

  it('gives what reading and validating in-process gives (tau-bench airline, 200 runs; an OTLP trace)', async () => {
    const config = defaultTrajectoryConfig();
    for (const file of [corpusFile('trajectories', 'tau-bench', 'gpt-4o-airline.json'), corpusFile('otlp', 'jaeger-ui_genaiTestTrace.CONVERTED.otlp.json')]) {
      const read = await readTrajectoryFile(file, { prices: bundledPriceTable() });
      const local = { reports: validateTrajectories(read.trajectories, config), diagnostics: read.diagnostics };
      const remote = await validateFileOffThread({ workerPath, file, config });
      assert.deepEqual(remote, local);
    }
  });

  it('rejects with the InputError an unreadable file gives in-process, rebuilt on this side', async () => {
    await assert.rejects(validateFileOffThread({ workerPath, file: resolve(__dirname, 'no-such.traj.json'), config: defaultTrajectoryConfig() }), (err: unknown) => {
      assert.ok(isInputError(err));
      assert.equal(err.detail, 'no such file');
      return true;
    });
  });

  it('rejects with an AbortError when aborted, before or while the worker runs', async () => {
    const file = corpusFile('trajectories', 'tau-bench', 'gpt-4o-airline.json');
    const before = new AbortController();
    before.abort();
    await assert.rejects(validateFileOffThread({ workerPath, file, config: defaultTrajectoryConfig(), signal: before.signal }), { name: 'AbortError' });
    const during = new AbortController();
    const running = validateFileOffThread({ workerPath, file, config: defaultTrajectoryConfig(), signal: during.signal });
    setTimeout(() => during.abort(), 20);
    await assert.rejects(running, { name: 'AbortError' });
  });
});
