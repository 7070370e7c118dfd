import { promises as fsp } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';

/**
 * Who holds a TCP port, on Linux: the listening socket's inode from /proc/net/tcp and tcp6, then the
 * process with a `socket:[inode]` descriptor among /proc/<pid>/fd. Best effort: other systems, other
 * users' processes (unreadable fds) and races give undefined, never an error.
 */

export interface PortOwner {
  pid: number;
  /** /proc/<pid>/comm: the process name (e.g. "otelcol", "node"). */
  command: string;
}

/** Inodes of sockets listening on `port` (any address). */
async function listeningInodes(port: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = await fsp.readFile(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode …
      const cols = line.trim().split(/\s+/);
      const local = cols[1];
      if (!local || cols[3] !== '0A') continue; // 0A: TCP_LISTEN
      if (local.slice(local.lastIndexOf(':') + 1).toUpperCase() !== hexPort) continue;
      const inode = cols[9];
      if (inode && inode !== '0') inodes.add(inode);
    }
  }
  return inodes;
}

export async function findPortOwner(port: number): Promise<PortOwner | undefined> {
  if (process.platform !== 'linux') return undefined;
  const inodes = await listeningInodes(port);
  if (inodes.size === 0) return undefined;
  const wanted = new Set([...inodes].map((i) => `socket:[${i}]`));
  let pids: string[];
  try {
    pids = (await fsp.readdir('/proc')).filter((n) => /^\d+$/.test(n));
  } catch {
    return undefined;
  }
  // Our own process first: the usual culprit in tests and a cheap check.
  pids.sort((a, b) => (a === String(process.pid) ? -1 : b === String(process.pid) ? 1 : 0));
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = await fsp.readdir(`/proc/${pid}/fd`);
    } catch {
      continue; // another user's process, or gone
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = await fsp.readlink(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      if (wanted.has(target)) {
        const command = await fsp.readFile(`/proc/${pid}/comm`, 'utf8').then((t) => t.trim(), () => '?');
        return { pid: Number(pid), command };
      }
    }
  }
  return undefined;
}

/** A port free on `host` right now (the kernel's pick for port 0). */
export async function freePort(host = '127.0.0.1'): Promise<number | undefined> {
  const s = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(0, host, resolve);
    });
    return (s.address() as AddressInfo).port;
  } catch {
    return undefined;
  } finally {
    await new Promise<void>((r) => s.close(() => r()));
  }
}
