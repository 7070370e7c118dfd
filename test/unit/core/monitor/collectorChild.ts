/**
 * A helper process for the collector's crash test (not a test file itself). Run with
 * `node --import tsx test/unit/core/monitor/collectorChild.ts <outDir>`: starts a collector on a free
 * port, prints {"ready":true,"port":N,"pid":P} and serves until killed.
 */
import { startCollector } from '../../../../src/core/monitor/collector/index';

const dir = process.argv[2];
if (!dir) throw new Error('collectorChild: outDir argument missing');
setTimeout(() => process.exit(3), 30_000).unref(); // never outlive a broken test
startCollector({ port: 0, outDir: dir }).then(
  (c) => process.stdout.write(`${JSON.stringify({ ready: true, port: c.port, pid: process.pid })}\n`),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
// Keep the process alive even though the timer above is unref'd.
setInterval(() => undefined, 1000);
