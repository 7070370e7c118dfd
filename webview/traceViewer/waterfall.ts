import type { CriticalPathWire, SpanRow } from '../../src/shared/traceViewerProtocol';
import { el } from '../common/dom';
import { format, ms, usd } from './format';
import { Overview } from './overview';
import { strings } from './strings';

const rowHeight = 22;

/** Inline styles through the CSSOM: the CSP forbids style attributes, not style properties. */
function styled<T extends HTMLElement>(node: T, style: Partial<Record<'left' | 'width' | 'paddingLeft' | 'height', string>>): T {
  Object.assign(node.style, style);
  return node;
}
const overscan = 20;

/**
 * A virtualized tree + timeline: only the rows in view exist in the DOM, so a
 * 100,000-span trace scrolls like a 10-span one. Keyboard: arrows, Home/End,
 * PageUp/PageDown, Left/Right to collapse/expand, n/N for the next/previous error.
 * Above it, an overview of the whole trace (a pointer aid) shows and moves the rows in view.
 */
export class Waterfall {
  readonly element: HTMLElement;
  private readonly viewport: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly rowsLayer: HTMLElement;
  private readonly overview: Overview;
  private spans: SpanRow[] = [];
  private children: number[][] = [];
  private collapsed = new Set<number>();
  private visible: number[] = [];
  private positionOf = new Int32Array(0);
  private total = 1;
  private critical = new Set<number>();
  private matches = new Set<number>();
  selected = -1;

  constructor(private readonly onSelect: (index: number) => void) {
    this.spacer = el('div', { class: 'wf-spacer' });
    this.rowsLayer = el('div', { class: 'wf-rows' });
    this.viewport = el('div', { class: 'wf-viewport', tabindex: '0', role: 'tree' }, this.spacer, this.rowsLayer);
    this.overview = new Overview((row) => {
      this.viewport.scrollTop = row * rowHeight - this.viewport.clientHeight / 2;
      this.viewport.focus({ preventScroll: true });
    });
    this.element = el('div', { class: 'waterfall' }, this.overview.element, this.viewport);
    this.viewport.addEventListener('scroll', () => this.render());
    this.viewport.addEventListener('keydown', (e) => this.onKey(e));
    this.rowsLayer.addEventListener('click', (e) => {
      const target = e.target as HTMLElement;
      const row = target.closest<HTMLElement>('.wf-row');
      if (!row) return;
      const index = Number(row.dataset.index);
      if (target.classList.contains('twisty')) this.toggle(index);
      else this.select(index);
      this.viewport.focus();
    });
    new ResizeObserver(() => this.render()).observe(this.viewport);
  }

  setTrace(spans: SpanRow[], critical: CriticalPathWire): void {
    // Named here, not in the constructor: the host's strings arrive after the waterfall is made.
    this.viewport.setAttribute('aria-label', strings.spans);
    this.spans = spans;
    this.children = spans.map(() => []);
    for (const s of spans) if (s.parent >= 0) this.children[s.parent]?.push(s.index);
    this.collapsed = new Set();
    // A loop, not Math.max(...spans): spreading hundreds of thousands of arguments overflows the stack.
    this.total = 1e-6;
    for (const s of spans) this.total = Math.max(this.total, s.startMs + s.durationMs);
    this.critical = new Set(critical.ok ? critical.spans : []);
    this.matches = new Set();
    this.selected = -1;
    this.flatten();
    this.viewport.scrollTop = 0;
    this.render();
  }

  setMatches(matches: number[]): void {
    this.matches = new Set(matches);
    this.render();
  }

  setCriticalVisible(show: boolean, critical: CriticalPathWire): void {
    this.critical = new Set(show && critical.ok ? critical.spans : []);
    this.render();
  }

  /** Selects a span, expanding its ancestors and scrolling it into view. */
  select(index: number): void {
    if (index < 0 || index >= this.spans.length) return;
    let changed = false;
    for (let p = this.spans[index]?.parent ?? -1; p >= 0; p = this.spans[p]?.parent ?? -1) {
      if (this.collapsed.delete(p)) changed = true;
    }
    if (changed) this.flatten();
    this.selected = index;
    const pos = this.positionOf[index] ?? 0;
    const top = pos * rowHeight;
    if (top < this.viewport.scrollTop) this.viewport.scrollTop = top;
    else if (top + rowHeight > this.viewport.scrollTop + this.viewport.clientHeight) this.viewport.scrollTop = top + rowHeight - this.viewport.clientHeight;
    this.render();
    this.onSelect(index);
  }

  focus(): void {
    this.viewport.focus();
  }

  private toggle(index: number): void {
    if ((this.children[index]?.length ?? 0) === 0) return;
    if (!this.collapsed.delete(index)) this.collapsed.add(index);
    this.flatten();
    this.render();
  }

  /** The rows in view order: roots (and orphans), depth first, skipping collapsed subtrees. */
  private flatten(): void {
    const out = this.treeOrder(this.collapsed);
    this.visible = out;
    this.positionOf = new Int32Array(this.spans.length).fill(-1);
    out.forEach((span, pos) => (this.positionOf[span] = pos));
    this.spacer.style.height = `${out.length * rowHeight}px`;
    this.overview.setRows(this.spans, out, this.total);
  }

  private render(): void {
    const first = Math.max(0, Math.floor(this.viewport.scrollTop / rowHeight) - overscan);
    const last = Math.min(this.visible.length, Math.ceil((this.viewport.scrollTop + this.viewport.clientHeight) / rowHeight) + overscan);
    const rows: HTMLElement[] = [];
    for (let pos = first; pos < last; pos++) {
      const span = this.spans[this.visible[pos] as number];
      if (span) rows.push(this.row(span, pos));
    }
    this.rowsLayer.style.transform = `translateY(${first * rowHeight}px)`;
    this.rowsLayer.replaceChildren(...rows);
    this.overview.setViewport(this.viewport.scrollTop / rowHeight, this.viewport.clientHeight / rowHeight);
  }

  private row(span: SpanRow, pos: number): HTMLElement {
    const hasKids = span.childCount > 0;
    const open = hasKids && !this.collapsed.has(span.index);
    const classes = ['wf-row', `type-${span.type}`];
    if (span.status === 'error') classes.push('error');
    if (span.index === this.selected) classes.push('selected');
    if (this.critical.has(span.index)) classes.push('critical');
    if (this.matches.has(span.index)) classes.push('match');
    const left = (span.startMs / this.total) * 100;
    const width = Math.max(0.15, (span.durationMs / this.total) * 100);
    const label = [span.model, span.tokens !== undefined ? format(strings.tokensShort, span.tokens) : undefined, span.costUsd !== undefined ? usd(span.costUsd) : undefined].filter(Boolean).join(' · ');
    const row = el(
      'div',
      {
        class: classes.join(' '),
        role: 'treeitem',
        'aria-level': String(span.depth + 1),
        'aria-selected': String(span.index === this.selected),
        ...(hasKids ? { 'aria-expanded': String(open) } : {}),
        'data-index': String(span.index),
        'aria-posinset': String(pos + 1),
      },
      styled(el('div', { class: 'wf-name' }, 
        el('span', { class: `twisty${hasKids ? (open ? ' open' : ' closed') : ''}`, 'aria-hidden': 'true' }),
        el('span', { class: 'badge', title: span.type }, span.type === 'other' ? '' : span.type),
        el('span', { class: 'name', title: span.name }, span.name),
        span.orphan ? el('span', { class: 'orphan', title: strings.orphanTitle }, strings.orphan) : null,
        el('span', { class: 'service' }, span.service),
      ), { paddingLeft: `${span.depth * 14 + 4}px` }),
      el(
        'div',
        { class: 'wf-time' },
        styled(el('div', { class: 'bar' }), { left: `${left}%`, width: `${width}%` }),
        styled(el('span', { class: 'bar-label' }, `${ms(span.durationMs)}${label ? ` · ${label}` : ''}`), { left: `${Math.min(left + width, 85)}%` }),
      ),
    );
    return row;
  }

  private onKey(e: KeyboardEvent): void {
    const pos = this.selected >= 0 ? (this.positionOf[this.selected] ?? 0) : -1;
    const page = Math.max(1, Math.floor(this.viewport.clientHeight / rowHeight) - 1);
    const go = (p: number) => {
      const clamped = Math.max(0, Math.min(this.visible.length - 1, p));
      const index = this.visible[clamped];
      if (index !== undefined) this.select(index);
    };
    switch (e.key) {
      case 'ArrowDown':
        go(pos + 1);
        break;
      case 'ArrowUp':
        go(pos - 1);
        break;
      case 'PageDown':
        go(pos + page);
        break;
      case 'PageUp':
        go(pos - page);
        break;
      case 'Home':
        go(0);
        break;
      case 'End':
        go(this.visible.length - 1);
        break;
      case 'ArrowRight':
        if (this.selected >= 0 && this.collapsed.has(this.selected)) this.toggle(this.selected);
        else go(pos + 1);
        break;
      case 'ArrowLeft': {
        const span = this.spans[this.selected];
        if (span && span.childCount > 0 && !this.collapsed.has(span.index)) this.toggle(span.index);
        else if (span && span.parent >= 0) this.select(span.parent);
        break;
      }
      case 'Enter':
      case ' ':
        if (this.selected >= 0) this.toggle(this.selected);
        break;
      case 'n':
        this.nextError(1);
        break;
      case 'N':
      case 'p':
        this.nextError(-1);
        break;
      default:
        return;
    }
    e.preventDefault();
  }

  /** Next (or previous) error span in view order, wrapping around; collapsed subtrees are searched too. */
  nextError(direction: 1 | -1): void {
    const errors = this.spans.filter((s) => s.status === 'error').map((s) => s.index);
    if (errors.length === 0) return;
    const order = new Int32Array(this.spans.length);
    this.treeOrder().forEach((span, pos) => (order[span] = pos));
    errors.sort((a, b) => (order[a] ?? 0) - (order[b] ?? 0));
    const current = this.selected >= 0 ? (order[this.selected] ?? -1) : -1;
    const next = direction === 1 ? (errors.find((i) => (order[i] ?? 0) > current) ?? errors[0]) : ([...errors].reverse().find((i) => (order[i] ?? 0) < current) ?? errors[errors.length - 1]);
    if (next !== undefined) this.select(next);
  }

  /** Depth-first order from the roots (and orphans), without recursion; `skip` subtrees are left out. */
  private treeOrder(skip: ReadonlySet<number> = new Set()): number[] {
    const out: number[] = [];
    const stack: number[] = [];
    for (let i = this.spans.length - 1; i >= 0; i--) if ((this.spans[i]?.parent ?? -1) < 0) stack.push(i);
    while (stack.length > 0) {
      const i = stack.pop() as number;
      out.push(i);
      if (skip.has(i)) continue;
      const kids = this.children[i] ?? [];
      for (let k = kids.length - 1; k >= 0; k--) stack.push(kids[k] as number);
    }
    return out;
  }
}
