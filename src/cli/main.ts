import { runCli } from './run';

// The bundled entry point (dist/cli.js). Output goes through process.stdout so
// large `--json` documents are flushed before the process ends.
// The first Ctrl-C (or SIGTERM) asks the command to stop cleanly (a deploy records it and returns traffic to
// the stable version); a second one ends the process at once.
const interrupt = new AbortController();
const onSignal = (name: NodeJS.Signals): void => {
  if (interrupt.signal.aborted) process.exit(130);
  process.stderr.write(`agentops: ${name}: stopping (again to quit at once)\n`);
  interrupt.abort(new DOMException(`interrupted by ${name}`, 'AbortError'));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
  env: process.env,
  signal: interrupt.signal,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`agentops: internal error: ${String(err)}\n`);
    process.exitCode = 2;
  },
);
