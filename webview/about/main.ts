import { isAboutToWebview, type AboutFromWebview, type AboutToWebview } from '../../src/shared/aboutProtocol';
import { el, replaceChildren } from '../common/dom';
import { connectToHost } from '../common/host';

const root = document.getElementById('root');
if (!root) throw new Error('webview shell has no #root');

const host = connectToHost<AboutFromWebview, AboutToWebview>(isAboutToWebview, (message) => render(root, message));
root.setAttribute('aria-busy', 'true');
host.post({ type: 'ready' });

function render(root: HTMLElement, { env, facts, strings }: AboutToWebview): void {
  const showLog = el('button', { type: 'button', id: 'show-log' }, strings.showLog);
  showLog.addEventListener('click', () => host.post({ type: 'showLog' }));
  const copy = el('button', { type: 'button', id: 'copy-environment', class: 'secondary' }, strings.copy);
  const status = el('span', { class: 'muted', role: 'status', 'aria-live': 'polite' });
  copy.addEventListener('click', () => {
    // Copy from here, inside the click: in the browser the workbench window does not
    // have focus while the webview does, so a copy done by the host would be refused.
    navigator.clipboard.writeText(JSON.stringify(env, null, 2)).then(
      () => replaceChildren(status, strings.copied),
      () => host.post({ type: 'copyEnvironment' }),
    );
  });
  root.removeAttribute('aria-busy');
  replaceChildren(
    root,
    el('h1', {}, strings.heading),
    el(
      'table',
      { class: 'facts', 'aria-label': strings.heading },
      el('tbody', {}, ...facts.map((f) => el('tr', {}, el('th', { scope: 'row' }, f.label), el('td', { 'data-key': f.key }, f.value)))),
    ),
    el('div', { class: 'actions' }, showLog, copy, status),
  );
}
