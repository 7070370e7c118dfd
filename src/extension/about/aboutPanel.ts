import * as vscode from 'vscode';
import { isAboutFromWebview, type AboutToWebview, type EnvironmentInfo } from '../../shared/aboutProtocol';
import { CommandIds } from '../commandIds';
import { aboutFacts, aboutStrings } from './aboutFacts';
import { renderWebviewHtml, webviewOptions } from '../webview/html';

/** "Agent Ops: About": which Agent Ops runs in which host, for bug reports. One panel at a time. */
export class AboutPanel {
  static readonly viewType = 'agentOps.about';
  private static current: AboutPanel | undefined;

  static show(context: vscode.ExtensionContext, environment: () => EnvironmentInfo, log: vscode.LogOutputChannel): void {
    if (AboutPanel.current) {
      AboutPanel.current.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(AboutPanel.viewType, vscode.l10n.t('About Agent Ops'), vscode.ViewColumn.Active, webviewOptions(context.extensionUri));
    AboutPanel.current = new AboutPanel(panel, context.extensionUri, environment, log);
  }

  private readonly disposables: vscode.Disposable[] = [];

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly environment: () => EnvironmentInfo,
    private readonly log: vscode.LogOutputChannel,
  ) {
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
    panel.webview.html = renderWebviewHtml(panel.webview, extensionUri, { script: 'about', title: vscode.l10n.t('About Agent Ops') });
    panel.webview.onDidReceiveMessage((m: unknown) => this.onMessage(m), undefined, this.disposables);
    panel.onDidDispose(() => this.dispose(), undefined, this.disposables);
  }

  private async onMessage(message: unknown): Promise<void> {
    if (!isAboutFromWebview(message)) {
      this.log.warn('About panel: ignored a malformed message from the webview');
      return;
    }
    switch (message.type) {
      case 'ready': {
        const env = this.environment();
        await this.post({ type: 'environment', env, facts: aboutFacts(env), strings: aboutStrings() });
        break;
      }
      case 'showLog':
        await vscode.commands.executeCommand(CommandIds.showLog);
        break;
      case 'copyEnvironment':
        await vscode.env.clipboard.writeText(JSON.stringify(this.environment(), null, 2));
        void vscode.window.showInformationMessage(vscode.l10n.t('Agent Ops environment copied to the clipboard.'));
        break;
    }
  }

  private post(message: AboutToWebview): Thenable<boolean> {
    return this.panel.webview.postMessage(message);
  }

  private dispose(): void {
    AboutPanel.current = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
