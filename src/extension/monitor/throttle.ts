/**
 * Runs an async job at most once per `intervalMs`, never two at once: requests while it runs fold into one
 * run after it, requests within the interval into one run at its end. `urgent` requests (the user changed
 * the view) skip the wait, not the one-at-a-time rule. No `vscode` import: unit-tested on plain Node.
 */
export class Throttle {
  private running = false;
  private again = false;
  private againUrgent = false;
  private lastRunAt = -Infinity;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(
    private readonly job: () => Promise<void>,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  request(urgent = false): void {
    if (this.disposed) return;
    if (this.running) {
      this.again = true;
      this.againUrgent ||= urgent;
      return;
    }
    if (this.timer) {
      if (!urgent) return;
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const wait = urgent ? 0 : Math.max(0, this.lastRunAt + this.intervalMs - this.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, wait);
  }

  private async run(): Promise<void> {
    if (this.disposed) return;
    this.running = true;
    try {
      await this.job();
    } catch {
      // The job reports its own failures; the next request runs it again.
    } finally {
      this.running = false;
      // Measured from the end: a slow job (a big first read) is not followed at once by another.
      this.lastRunAt = this.now();
      if (this.again) {
        const urgent = this.againUrgent;
        this.again = false;
        this.againUrgent = false;
        this.request(urgent);
      }
    }
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
