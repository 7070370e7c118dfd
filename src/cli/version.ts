import { version } from '../../package.json';

export const cliVersion: string = version;
