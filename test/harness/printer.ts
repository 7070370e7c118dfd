import type { TestEvent } from '../testEvents';

const useColor = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const paint = (code: number) => (text: string) => (useColor ? `\u001b[${code}m${text}\u001b[0m` : text);
const green = paint(32);
const red = paint(31);
const dim = paint(2);
const cyan = paint(36);

/** Streams test events to the terminal as they happen and keeps the tally. */
export class ResultPrinter {
  passed = 0;
  failed = 0;
  pending = 0;
  private readonly failures: { title: string; error: string }[] = [];
  private readonly suitePath: string[] = [];

  phase(title: string): void {
    console.log(`\n${cyan(title)}`);
  }

  info(message: string, depth = 1): void {
    console.log(`${'  '.repeat(depth)}${dim(message)}`);
  }

  event(event: TestEvent): void {
    switch (event.type) {
      case 'suite':
        this.suitePath.length = event.depth;
        this.suitePath.push(event.title);
        console.log(`${'  '.repeat(event.depth + 1)}${event.title}`);
        break;
      case 'pass':
        this.passed++;
        console.log(`${'  '.repeat(event.depth + 1)}${green('✓')} ${event.title} ${dim(`(${Math.round(event.durationMs)} ms)`)}`);
        break;
      case 'fail':
        this.failed++;
        this.failures.push({ title: [...this.suitePath.slice(0, event.depth), event.title].join(' › '), error: event.error });
        console.log(`${'  '.repeat(event.depth + 1)}${red(`✗ ${event.title}`)}`);
        console.log(indent(red(firstLines(event.error, 6)), event.depth + 3));
        break;
      case 'pending':
        this.pending++;
        console.log(`${'  '.repeat(event.depth + 1)}${dim(`- ${event.title}`)}`);
        break;
      case 'info':
        this.info(event.message, this.suitePath.length + 2);
        break;
      case 'end':
        break;
    }
  }

  /** A failure that is not a mocha test: the host never answered, the server died… */
  failOutsideTests(title: string, error: string): void {
    this.event({ type: 'fail', title, depth: 0, durationMs: 0, error });
  }

  summary(): void {
    if (this.failures.length > 0) {
      console.log(`\n${red('Failures:')}`);
      this.failures.forEach((f, i) => console.log(`  ${i + 1}) ${f.title}\n${indent(f.error, 3)}`));
    }
    console.log('');
    console.log(`${this.passed} passed, ${this.failed} failed${this.pending > 0 ? `, ${this.pending} skipped` : ''}`);
  }
}

function indent(text: string, depth: number): string {
  return text
    .split('\n')
    .map((l) => `${'  '.repeat(depth)}${l}`)
    .join('\n');
}

function firstLines(text: string, n: number): string {
  return text.split('\n').slice(0, n).join('\n');
}
