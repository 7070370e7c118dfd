import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

const knownPaths = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable', '/snap/bin/chromium'];
const namesOnPath = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** CHROME_PATH, then the usual install locations, then PATH. Never downloads a browser. */
export function findChromium(): string {
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv) {
    if (isExecutable(fromEnv)) return fromEnv;
    throw new Error(`CHROME_PATH=${fromEnv} is not an executable file.`);
  }
  for (const path of knownPaths) if (isExecutable(path)) return path;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of namesOnPath) {
      const path = join(dir, name);
      if (isExecutable(path)) return path;
    }
  }
  throw new Error(
    [
      'No Chromium found: the integration suite drives VS Code in a system Chromium.',
      '  Debian/Ubuntu: sudo apt-get install -y --no-install-recommends chromium',
      '  Fedora:        sudo dnf install chromium',
      '  macOS:         install Google Chrome, or set CHROME_PATH',
      '  Or point CHROME_PATH at any Chromium or Chrome executable.',
    ].join('\n'),
  );
}

/** Headless, and with every background service off: this machine's network is closed. */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}
