import type { KeyValueRow, SpanDetail, WireMessage } from '../../src/shared/traceViewerProtocol';
import { el, replaceChildren } from '../common/dom';
import { count, ms, usd } from './format';

const foldAt = 400;

export interface DetailActions {
  goToCode(file: string, line: number): void;
  revealSource(file: string, line: number): void;
  selectSpan(index: number): void;
}

/** The selected span: GenAI first (messages by role, tool calls, tokens, cost), then everything OTLP carries. */
export function renderDetail(container: HTMLElement, d: SpanDetail, actions: DetailActions): void {
  const copy = el('button', { type: 'button', class: 'secondary', id: 'copy-span' }, 'Copy as JSON');
  const status = el('span', { class: 'muted', role: 'status', 'aria-live': 'polite' });
  copy.addEventListener('click', () => {
    void navigator.clipboard.writeText(d.json).then(
      () => replaceChildren(status, 'Copied.'),
      () => replaceChildren(status, 'Copy failed.'),
    );
  });
  const buttons: HTMLElement[] = [copy];
  if (d.code) {
    const code = d.code;
    const go = el('button', { type: 'button', id: 'go-to-code' }, `Go to code (${code.file}:${code.line})`);
    go.addEventListener('click', () => actions.goToCode(code.file, code.line));
    buttons.unshift(go);
  }
  const reveal = el('button', { type: 'button', class: 'secondary' }, `Show in file (line ${d.source.line})`);
  reveal.addEventListener('click', () => actions.revealSource(d.source.file, d.source.line));
  buttons.push(reveal, status);

  replaceChildren(
    container,
    el('h2', { class: 'detail-title' }, d.name),
    el(
      'div',
      { class: 'detail-facts' },
      fact('Service', d.service),
      fact('Duration', ms(d.durationMs)),
      fact('Start', d.startTime),
      fact('Kind', d.kind),
      fact('Status', d.status.message ? `${d.status.code}: ${d.status.message}` : d.status.code, d.status.code === 'error' ? 'error-text' : undefined),
      fact('Span', d.spanId),
      d.parentSpanId ? fact('Parent', d.parentSpanId) : null,
      fact('Scope', d.scope),
    ),
    el('div', { class: 'actions' }, ...buttons),
    d.genai ? genAiSection(d.genai, actions) : null,
    section('Attributes', table(d.attributes)),
    d.events.length > 0 ? section(`Events (${d.events.length})`, ...d.events.map((e) => el('div', { class: 'event' }, el('div', { class: 'event-head' }, `+${ms(e.offsetMs)} ${e.name}`), table(e.attributes)))) : null,
    d.logs.length > 0 ? section(`Logs (${d.logs.length})`, ...d.logs.map((l) => el('div', { class: 'event' }, el('div', { class: 'event-head' }, `+${ms(l.offsetMs)} ${l.severity}`), folded(l.body), table(l.attributes)))) : null,
    d.links.length > 0 ? section(`Links (${d.links.length})`, ...d.links.map((l) => el('div', { class: 'event' }, el('div', { class: 'event-head' }, `${l.traceId} / ${l.spanId}`), table(l.attributes)))) : null,
    section('Resource', table(d.resource)),
  );
}

function genAiSection(g: NonNullable<SpanDetail['genai']>, actions: DetailActions): HTMLElement {
  const facts = [
    g.provider ? fact('Provider', g.provider) : null,
    g.requestModel ? fact('Model', g.responseModel && g.responseModel !== g.requestModel ? `${g.requestModel} → ${g.responseModel}` : g.requestModel) : g.responseModel ? fact('Model', g.responseModel) : null,
    g.tokens ? fact('Tokens', `${count(g.tokens.input)} in · ${count(g.tokens.output)} out${g.tokens.cacheRead ? ` · ${count(g.tokens.cacheRead)} cache read` : ''}${g.tokens.cacheWrite ? ` · ${count(g.tokens.cacheWrite)} cache write` : ''}${g.tokens.reasoning ? ` · ${count(g.tokens.reasoning)} reasoning` : ''}`) : null,
    g.costUsd !== undefined ? fact('Cost', `${usd(g.costUsd)}${g.costNote ? ` (${g.costNote})` : ''}`) : null,
    g.finishReasons?.length ? fact('Finish', g.finishReasons.join(', ')) : null,
  ];
  const body: (HTMLElement | null)[] = [el('div', { class: 'detail-facts' }, ...facts)];
  if (g.tool) {
    body.push(
      el('div', { class: 'detail-facts' }, g.tool.name ? fact('Tool', g.tool.name) : null, g.tool.callId ? fact('Call id', g.tool.callId) : null),
      g.tool.arguments !== undefined ? labelled('Arguments', folded(g.tool.arguments)) : null,
      g.tool.result !== undefined ? labelled('Result', folded(g.tool.result)) : null,
    );
  }
  if (g.type === 'llm' && !g.contentCaptured) {
    body.push(el('p', { class: 'muted not-captured' }, 'Content not captured: the instrumentation recorded no prompt or completion text (often an opt-in setting).'));
  }
  for (const m of g.messages) body.push(message(m, actions));
  return section(`GenAI · ${g.type}`, ...body);
}

function message(m: WireMessage, actions: DetailActions): HTMLElement {
  return el(
    'div',
    { class: `message role-${m.role} dir-${m.direction}` },
    el('div', { class: 'message-role' }, m.direction === 'output' ? `${m.role} (output)` : m.role),
    ...m.parts.map((p) => {
      if (p.kind === 'tool_call') {
        const head = el('div', { class: 'tool-call-head' }, `→ ${p.toolName ?? 'tool'}${p.toolCallId ? ` (${p.toolCallId})` : ''}`);
        if (p.toolSpan !== undefined) {
          const span = p.toolSpan;
          const jump = el('button', { type: 'button', class: 'link' }, 'open tool span');
          jump.addEventListener('click', () => actions.selectSpan(span));
          head.append(' ', jump);
        }
        return el('div', { class: 'tool-call' }, head, folded(p.text));
      }
      if (p.kind === 'tool_result') return el('div', { class: 'tool-result' }, el('div', { class: 'tool-call-head' }, `← result${p.toolCallId ? ` (${p.toolCallId})` : ''}`), folded(p.text));
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
  if (rows.length === 0) return el('p', { class: 'muted' }, '(none)');
  return el('table', { class: 'kv' }, el('tbody', {}, ...rows.map((r) => el('tr', {}, el('th', { scope: 'row' }, r.key), el('td', {}, folded(r.value))))));
}

/** Long values folded behind "show all", always as text. */
function folded(text: string): HTMLElement {
  const pre = el('pre', { class: 'value' }, text.length > foldAt ? `${text.slice(0, foldAt)}…` : text);
  if (text.length <= foldAt) return pre;
  const more = el('button', { type: 'button', class: 'link' }, `show all ${count(text.length)} characters`);
  more.addEventListener('click', () => {
    replaceChildren(pre, text);
    more.remove();
  });
  return el('div', {}, pre, more);
}
