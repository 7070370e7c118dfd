import { isAboutToWebview, type AboutFromWebview, type AboutToWebview, type EnvironmentInfo } from '../../src/shared/aboutProtocol';
import { el, replaceChildren } from '../common/dom';
import { connectToHost } from '../common/host';

const root = document.getElementById('root');
if (!root) throw new Error('webview shell has no #root');

const host = connectToHost<AboutFromWebview, AboutToWebview>(isAboutToWebview, (message) => render(message.env));

replaceChildren(root, el('p', { class: 'muted' }, 'Loading…'));
host.post({ type: 'ready' });

function render(env: EnvironmentInfo): void {
  if (!root) return;
  const rows: [string, string][] = [
    ['Agent Ops', env.extensionVersion],
    ['VS Code', `${env.appName} ${env.vscodeVersion}`],
    ['Host', `${env.appHost} (${env.uiKind}${env.remoteName ? `, remote: ${env.remoteName}` : ''})`],
    ['Extension host Node.js', env.extensionHostNode],
    ['Platform', env.platform],
    ['SQLite (node:sqlite)', env.sqlite ?? 'not available in this host'],
    ['Workspace trusted', env.workspaceTrusted ? 'yes' : 'no: deploy targets and webhooks are disabled'],
    ['Workspace folders', env.workspaceFolders.length > 0 ? env.workspaceFolders.join('\n') : '(none)'],
    ['Activation', `${env.activationMs.toFixed(1)} ms`],
  ];
  const showLog = el('button', { type: 'button', id: 'show-log' }, 'Show Log');
  showLog.addEventListener('click', () => host.post({ type: 'showLog' }));
  const copy = el('button', { type: 'button', id: 'copy-environment', class: 'secondary' }, 'Copy as JSON');
  const status = el('span', { class: 'muted', role: 'status', 'aria-live': 'polite' });
  copy.addEventListener('click', () => {
    // Copy from here, inside the click: in the browser the workbench window does not
    // have focus while the webview does, so a copy done by the host would be refused.
    navigator.clipboard.writeText(JSON.stringify(env, null, 2)).then(
      () => replaceChildren(status, 'Copied.'),
      () => host.post({ type: 'copyEnvironment' }),
    );
  });
  replaceChildren(
    root,
    el('h1', {}, 'Agent Ops'),
    el(
      'table',
      { class: 'facts', 'aria-label': 'Environment' },
      el('tbody', {}, ...rows.map(([k, v]) => el('tr', {}, el('th', { scope: 'row' }, k), el('td', { 'data-key': k }, v)))),
    ),
    el('div', { class: 'actions' }, showLog, copy, status),
  );
}
