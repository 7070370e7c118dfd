import { ExitCode, type CliCommand } from '../command';
import { cliVersion } from '../version';

export const versionCommand: CliCommand = {
  name: 'version',
  summary: 'Print the version of agentops and of the Node.js running it',
  usage: ['version', '--version'],
  async run() {
    return {
      exitCode: ExitCode.ok,
      text: `agentops ${cliVersion}\n`,
      json: { version: cliVersion, node: process.version, platform: `${process.platform}-${process.arch}` },
    };
  },
};
