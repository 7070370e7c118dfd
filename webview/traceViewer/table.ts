import { el, replaceChildren } from '../common/dom';
import { format } from './format';
import { strings } from './strings';

export interface Column<T> {
  key: string;
  label: string;
  /** What the column sorts by; omit for a column that does not sort (a checkbox, say). */
  value?: (row: T) => number | string;
  /** The cell: text (inserted as a text node), or a node the caller built. */
  cell: (row: T) => string | Node;
  numeric?: boolean;
  /** Extra classes of a cell, e.g. to colour a change. */
  cellClass?: (row: T) => string;
  /** Header tooltip, for abbreviations such as P95. */
  title?: string;
}

/** The key of the sorted column, or null for the rows' own order. Mutated in place, so a view that re-renders keeps it. */
export interface SortState {
  key: string | null;
  descending: boolean;
}

export interface TableOptions<T> {
  /** Accessible name of the table. */
  label: string;
  className: string;
  columns: readonly Column<T>[];
  rows: readonly T[];
  sort: SortState;
  /** Render at most this many rows (after sorting), so a 100,000-span comparison stays responsive. */
  limit?: number;
  /** Shown instead of the table body when there are no rows. */
  empty?: string;
  /** Makes rows focusable (↑ ↓ Home End move between them) and opens them with a click or Enter. */
  onActivate?: (row: T) => void;
  /** Per-row attributes and listeners. */
  decorate?: (tr: HTMLTableRowElement, row: T) => void;
}

export function sortRows<T>(rows: readonly T[], columns: readonly Column<T>[], sort: SortState): T[] {
  const value = columns.find((c) => c.key === sort.key)?.value;
  if (!value) return [...rows];
  return [...rows].sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    const cmp = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
    return sort.descending ? -cmp : cmp;
  });
}

/**
 * A table whose column headers are sort buttons, like the trace list: the first
 * click sorts numbers descending and text ascending, the next click reverses.
 * Sorting re-renders the table in place and keeps focus on the header pressed.
 */
export function sortableTable<T>(options: TableOptions<T>): HTMLTableElement {
  const { columns, sort } = options;
  const thead = el('thead');
  const tbody = el('tbody');
  const caption = el('caption', { class: 'muted table-note' });
  const table = el('table', { class: `data-table ${options.className}`, 'aria-label': options.label }, thead, tbody);

  const render = (focusKey?: string): void => {
    const head = el(
      'tr',
      {},
      ...columns.map((c) => {
        const cls = c.numeric ? 'num' : '';
        if (!c.value) return el('th', { scope: 'col', class: cls }, c.label);
        const active = c.key === sort.key;
        const button = el('button', { type: 'button', class: 'sort', 'data-sort': c.key, ...(c.title ? { title: c.title } : {}) }, `${c.label}${active ? (sort.descending ? ' ▼' : ' ▲') : ''}`);
        button.addEventListener('click', () => {
          sort.descending = active ? !sort.descending : !!c.numeric;
          sort.key = c.key;
          render(c.key);
        });
        return el('th', { scope: 'col', 'aria-sort': active ? (sort.descending ? 'descending' : 'ascending') : 'none', class: cls }, button);
      }),
    );
    replaceChildren(thead, head);

    const sorted = sortRows(options.rows, columns, sort);
    const shown = options.limit !== undefined ? sorted.slice(0, options.limit) : sorted;
    replaceChildren(
      tbody,
      ...(shown.length === 0 && options.empty ? [el('tr', {}, el('td', { class: 'muted', colspan: String(columns.length) }, options.empty))] : []),
      ...shown.map((row) => rowElement(row, options)),
    );
    if (shown.length < sorted.length) {
      replaceChildren(caption, format(strings.showingRows, shown.length.toLocaleString('en-US'), sorted.length.toLocaleString('en-US')));
      table.prepend(caption);
    } else caption.remove();
    if (focusKey) thead.querySelector<HTMLElement>(`button[data-sort="${focusKey}"]`)?.focus();
  };
  render();
  return table;
}

function rowElement<T>(row: T, options: TableOptions<T>): HTMLTableRowElement {
  const tr = el(
    'tr',
    options.onActivate ? { tabindex: '0' } : {},
    ...options.columns.map((c) => {
      const classes = [`col-${c.key}`, c.numeric ? 'num' : '', c.cellClass?.(row) ?? ''].filter(Boolean).join(' ');
      return el('td', { class: classes }, c.cell(row));
    }),
  );
  const activate = options.onActivate;
  if (activate) {
    tr.addEventListener('click', () => activate(row));
    tr.addEventListener('keydown', (e) => {
      if (e.target !== tr) return; // keys in a cell's own control (a checkbox) are that control's
      const rows = () => [...(tr.parentElement?.children ?? [])] as HTMLElement[];
      const move: Record<string, () => Element | null | undefined> = {
        ArrowDown: () => tr.nextElementSibling,
        ArrowUp: () => tr.previousElementSibling,
        Home: () => rows()[0],
        End: () => rows().at(-1),
      };
      if (e.key === 'Enter') activate(row);
      else if (move[e.key]) {
        e.preventDefault();
        (move[e.key]?.() as HTMLElement | null | undefined)?.focus();
      }
    });
  }
  options.decorate?.(tr, row);
  return tr;
}
