import { runCli } from './run';

// The bundled entry point (dist/cli.js). Output goes through process.stdout so
// large `--json` documents are flushed before the process ends.
runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
  env: process.env,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`agentops: internal error: ${String(err)}\n`);
    process.exitCode = 2;
  },
);
