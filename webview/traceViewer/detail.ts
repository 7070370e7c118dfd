import type { KeyValueRow, SpanDetail, WireMessage } from '../../src/shared/traceViewerProtocol';
import { el, replaceChildren } from '../common/dom';
import { count, format, ms, usd } from './format';
import { strings } from './strings';

const foldAt = 400;

export interface DetailActions {
  goToCode(file: string, line: number): void;
  revealSource(file: string, line: number): void;
  selectSpan(index: number): void;
}

/** The selected span: GenAI first (messages by role, tool calls, tokens, cost), then everything OTLP carries. */
export function renderDetail(container: HTMLElement, d: SpanDetail, actions: DetailActions): void {
  const copy = el('button', { type: 'button', class: 'secondary', id: 'copy-span' }, strings.copyAsJson);
  const status = el('span', { class: 'muted', role: 'status', 'aria-live': 'polite' });
  copy.addEventListener('click', () => {
    void navigator.clipboard.writeText(d.json).then(
      () => replaceChildren(status, strings.copied),
      () => replaceChildren(status, strings.copyFailed),
    );
  });
  const buttons: HTMLElement[] = [copy];
  if (d.code) {
    const code = d.code;
    const go = el('button', { type: 'button', id: 'go-to-code' }, format(strings.goToCode, code.file, code.line));
    go.addEventListener('click', () => actions.goToCode(code.file, code.line));
    buttons.unshift(go);
  }
  const reveal = el('button', { type: 'button', class: 'secondary' }, format(strings.showInFile, d.source.line));
  reveal.addEventListener('click', () => actions.revealSource(d.source.file, d.source.line));
  buttons.push(reveal, status);

  replaceChildren(
    container,
    el('h2', { class: 'detail-title' }, d.name),
    el(
      'div',
      { class: 'detail-facts' },
      fact(strings.service, d.service),
      fact(strings.duration, ms(d.durationMs)),
      fact(strings.start, d.startTime),
      fact(strings.kind, d.kind),
      fact(strings.status, d.status.message ? `${d.status.code}: ${d.status.message}` : d.status.code, d.status.code === 'error' ? 'error-text' : undefined),
      fact(strings.span, d.spanId),
      d.parentSpanId ? fact(strings.parent, d.parentSpanId) : null,
      fact(strings.scope, d.scope),
    ),
    el('div', { class: 'actions' }, ...buttons),
    d.genai ? genAiSection(d.genai, actions) : null,
    section(strings.attributes, table(d.attributes)),
    d.events.length > 0 ? section(format(strings.events, d.events.length), ...d.events.map((e) => el('div', { class: 'event' }, el('div', { class: 'event-head' }, `+${ms(e.offsetMs)} ${e.name}`), table(e.attributes)))) : null,
    d.logs.length > 0 ? section(format(strings.logs, d.logs.length), ...d.logs.map((l) => el('div', { class: 'event' }, el('div', { class: 'event-head' }, `+${ms(l.offsetMs)} ${l.severity}`), folded(l.body), table(l.attributes)))) : null,
    d.links.length > 0 ? section(format(strings.links, d.links.length), ...d.links.map((l) => el('div', { class: 'event' }, el('div', { class: 'event-head' }, `${l.traceId} / ${l.spanId}`), table(l.attributes)))) : null,
    section(strings.resource, table(d.resource)),
  );
}

function genAiSection(g: NonNullable<SpanDetail['genai']>, actions: DetailActions): HTMLElement {
  const facts = [
    g.provider ? fact(strings.provider, g.provider) : null,
    g.requestModel ? fact(strings.model, g.responseModel && g.responseModel !== g.requestModel ? `${g.requestModel} → ${g.responseModel}` : g.requestModel) : g.responseModel ? fact(strings.model, g.responseModel) : null,
    g.tokens ? fact(strings.tokens, tokenParts(g.tokens).join(' · ')) : null,
    g.costUsd !== undefined ? fact(strings.cost, `${usd(g.costUsd)}${g.costNote ? ` (${g.costNote})` : ''}`) : null,
    g.finishReasons?.length ? fact(strings.finish, g.finishReasons.join(', ')) : null,
  ];
  const body: (HTMLElement | null)[] = [el('div', { class: 'detail-facts' }, ...facts)];
  if (g.tool) {
    body.push(
      el('div', { class: 'detail-facts' }, g.tool.name ? fact(strings.tool, g.tool.name) : null, g.tool.callId ? fact(strings.callId, g.tool.callId) : null),
      g.tool.arguments !== undefined ? labelled(strings.arguments, folded(g.tool.arguments)) : null,
      g.tool.result !== undefined ? labelled(strings.result, folded(g.tool.result)) : null,
    );
  }
  if (g.type === 'llm' && !g.contentCaptured) {
    body.push(el('p', { class: 'muted not-captured' }, strings.contentNotCaptured));
  }
  for (const m of g.messages) body.push(message(m, actions));
  return section(format(strings.genAi, g.type), ...body);
}

/** "1,200 in", "80 out", then the cache and reasoning counts that are not zero. */
function tokenParts(t: NonNullable<NonNullable<SpanDetail['genai']>['tokens']>): string[] {
  return [
    format(strings.tokensIn, count(t.input)),
    format(strings.tokensOut, count(t.output)),
    t.cacheRead ? format(strings.tokensCacheRead, count(t.cacheRead)) : null,
    t.cacheWrite ? format(strings.tokensCacheWrite, count(t.cacheWrite)) : null,
    t.reasoning ? format(strings.tokensReasoning, count(t.reasoning)) : null,
  ].filter((part) => part !== null);
}

function message(m: WireMessage, actions: DetailActions): HTMLElement {
  return el(
    'div',
    { class: `message role-${m.role} dir-${m.direction}` },
    el('div', { class: 'message-role' }, m.direction === 'output' ? format(strings.roleOutput, m.role) : m.role),
    ...m.parts.map((p) => {
      if (p.kind === 'tool_call') {
        const head = el('div', { class: 'tool-call-head' }, `→ ${p.toolName ?? strings.toolFallback}${p.toolCallId ? ` (${p.toolCallId})` : ''}`);
        if (p.toolSpan !== undefined) {
          const span = p.toolSpan;
          const jump = el('button', { type: 'button', class: 'link' }, strings.openToolSpan);
          jump.addEventListener('click', () => actions.selectSpan(span));
          head.append(' ', jump);
        }
        return el('div', { class: 'tool-call' }, head, folded(p.text));
      }
      if (p.kind === 'tool_result') return el('div', { class: 'tool-result' }, el('div', { class: 'tool-call-head' }, `${strings.toolResult}${p.toolCallId ? ` (${p.toolCallId})` : ''}`), folded(p.text));
      return folded(p.text);
    }),
  );
}

function section(title: string, ...content: (HTMLElement | null)[]): HTMLElement {
  return el('details', { class: 'detail-section', open: '' }, el('summary', {}, title), ...content);
}

function labelled(label: string, content: HTMLElement): HTMLElement {
  return el('div', { class: 'labelled' }, el('div', { class: 'muted' }, label), content);
}

function fact(label: string, value: string, valueClass?: string): HTMLElement {
  return el('div', { class: 'fact' }, el('span', { class: 'muted' }, label), el('span', valueClass ? { class: valueClass } : {}, value));
}

function table(rows: KeyValueRow[]): HTMLElement {
  if (rows.length === 0) return el('p', { class: 'muted' }, strings.none);
  return el('table', { class: 'kv' }, el('tbody', {}, ...rows.map((r) => el('tr', {}, el('th', { scope: 'row' }, r.key), el('td', {}, folded(r.value))))));
}

/** Long values folded behind "show all", always as text. */
function folded(text: string): HTMLElement {
  const pre = el('pre', { class: 'value' }, text.length > foldAt ? `${text.slice(0, foldAt)}…` : text);
  if (text.length <= foldAt) return pre;
  const more = el('button', { type: 'button', class: 'link' }, format(strings.showAll, count(text.length)));
  more.addEventListener('click', () => {
    replaceChildren(pre, text);
    more.remove();
  });
  return el('div', {}, pre, more);
}
