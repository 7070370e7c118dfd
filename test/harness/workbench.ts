import { basename } from 'node:path';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';

/**
 * Page objects for a VS Code workbench running in the browser. Later UI
 * specs use these instead of raw selectors, so that a change of VS Code's DOM
 * is mended in one place.
 */
export class Workbench {
  private constructor(
    readonly page: Page,
    private readonly context: BrowserContext,
  ) {}

  /** Opens a fresh browser context on `url` and waits until the workbench is laid out. */
  static async open(browser: Browser, url: string, hooks: { onExit?: (code: number) => void; onLog?: (line: string) => void } = {}): Promise<Workbench> {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, permissions: ['clipboard-read', 'clipboard-write'] });
    const page = await context.newPage();
    // Called by the workbench when an extensionTestsPath run ends (smoke-test driver).
    await page.exposeFunction('codeAutomationExit', (code: number) => hooks.onExit?.(code));
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => hooks.onLog?.(`${type}: ${args.map(String).join(' ')}`));
    await page.goto(url);
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
    return new Workbench(page, context);
  }

  async close(): Promise<void> {
    await this.context.close();
  }

  /**
   * Runs a command the way a user does: F1, its title, Enter. The palette's
   * list is computed when it opens, so if extensions are still registering
   * their commands it is closed and opened again until the title shows up.
   */
  async runCommand(title: string, timeoutMs = 30_000, options: { opensQuickInput?: boolean } = {}): Promise<void> {
    await this.pickFromQuickInput('F1', `>${title}`, title, timeoutMs);
    // A command that asks something at once (a quick pick) keeps the widget open: its title says when it is there.
    if (!options.opensQuickInput) await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  }

  /**
   * Waits until the workbench knows an extension's contributions (its command
   * shows in the palette). In the browser, a remote extension's editors and
   * commands arrive a moment after the window: a file opened earlier gets the
   * default text editor.
   */
  async whenContributed(commandTitle: string, timeoutMs = 30_000): Promise<void> {
    await this.pickFromQuickInput('F1', `>${commandTitle}`, commandTitle, timeoutMs, 'Escape');
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  }

  /** Opens a workspace file by its relative path through Quick Open, and waits for its editor (text or custom). */
  async openFile(relativePath: string, timeoutMs = 30_000): Promise<void> {
    const name = basename(relativePath);
    await this.pickFromQuickInput('Control+P', relativePath, name, timeoutMs);
    await this.page.locator(`.tabs-container .tab.active[data-resource-name="${name}"]`).waitFor({ state: 'visible', timeout: 15_000 });
    await this.page.locator('.editor-instance').first().waitFor({ state: 'visible' });
  }

  /**
   * Hovers the first occurrence of `text` in the visible editor and returns
   * the hover widget's text once it has some.
   */
  async hoverAt(text: string, options: { timeoutMs?: number; expect?: RegExp } = {}): Promise<string> {
    const token = this.page.locator('.editor-instance .monaco-editor .view-line span span', { hasText: text }).first();
    await token.waitFor({ state: 'visible', timeout: 15_000 });
    const hover = this.page.locator('.monaco-hover-content').first();
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    // Language features may start after the editor opens: move away and back until a hover shows.
    let last: string;
    for (;;) {
      // Re-resolved each round: the editor re-renders its token spans when semantic colouring arrives.
      const box = await token.boundingBox().catch(() => null);
      try {
        if (!box) throw new Error(`'${text}' is not on screen`);
        await this.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 3 });
        await hover.waitFor({ state: 'visible', timeout: 3_000 });
        const content = await hover.innerText();
        if (!options.expect || options.expect.test(content)) return content;
        last = `hover was: ${content}`;
      } catch (err) {
        last = String(err);
      }
      if (Date.now() > deadline) throw new Error(`no hover${options.expect ? ` matching ${options.expect}` : ''} at '${text}' (${last})`);
      await this.page.mouse.move(0, 0);
      await this.page.waitForTimeout(500);
    }
  }

  /**
   * The frame of a visible webview whose document has `selector`. Webviews are
   * nested iframes, so this searches page.frames() rather than the main DOM;
   * hidden editors keep their webviews alive, so visibility is checked up the chain.
   */
  async webviewFrame(selector: string, timeoutMs = 20_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const frame of this.page.frames()) {
        if (frame === this.page.mainFrame()) continue;
        if ((await frame.locator(selector).count().catch(() => 0)) > 0 && (await isShown(frame))) return frame;
      }
      if (Date.now() > deadline) throw new Error(`no webview contains '${selector}'`);
      await this.page.waitForTimeout(200);
    }
  }

  /** Text of the editor shown in the panel (Output, for instance). */
  async panelText(): Promise<string> {
    const lines = this.page.locator('.part.panel .monaco-editor .view-lines').first();
    await lines.waitFor({ state: 'visible', timeout: 15_000 });
    // Monaco renders spaces as U+00A0.
    return (await lines.innerText()).replace(/\u00a0/g, ' ');
  }

  /**
   * In the quick input a command opened (a quick pick, an input box): types `text` and accepts the
   * row labelled `label` once it is the focused one (default: accepts what was typed, for an input box
   * or a pick that offers the typed value).
   */
  async answerQuickInput(text: string, label?: string, timeoutMs = 15_000): Promise<void> {
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: timeoutMs });
    await input.fill(text);
    if (label !== undefined) {
      const row = this.page.locator('.quick-input-list .monaco-list-row.focused').filter({ has: this.page.locator('.label-name', { hasText: exactly(label) }) });
      await row.waitFor({ state: 'visible', timeout: timeoutMs });
    }
    await input.press('Enter');
  }

  /** The title of the quick input now open (waits for it to be `expected` when given). */
  async quickInputTitle(expected?: RegExp, timeoutMs = 15_000): Promise<string> {
    const title = this.page.locator('.quick-input-widget .quick-input-title');
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = (await title.innerText({ timeout: timeoutMs }).catch(() => '')).trim();
      if (!expected || expected.test(text) || Date.now() > deadline) return text;
      await this.page.waitForTimeout(100);
    }
  }

  /** Clicks `button` of the modal dialog now open; returns the dialog's message and detail. */
  async answerDialog(button: string, timeoutMs = 15_000): Promise<string> {
    const dialog = this.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: timeoutMs });
    const text = await dialog.innerText();
    await dialog.locator('.dialog-buttons .monaco-button', { hasText: exactly(button) }).click();
    await dialog.waitFor({ state: 'hidden', timeout: timeoutMs });
    return text;
  }

  /**
   * Waits for a notification whose message matches `pattern`, as a toast or in the notification center
   * (a toast that went by while a dialog closed is only there); returns its message.
   */
  async notification(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    const center = this.page.locator('.notifications-center .notification-list-item-message');
    for (;;) {
      const found = [...(await this.notifications()), ...(await center.allInnerTexts())].find((m) => pattern.test(m));
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`no notification matching ${pattern} within ${timeoutMs} ms; shown: ${JSON.stringify(await this.notifications())}`);
      if (!(await this.page.locator('.notifications-center.visible').isVisible())) await this.runCommand('Notifications: Show Notifications').catch(() => undefined);
      await this.page.waitForTimeout(300);
    }
  }

  /** The status bar's items' texts. */
  async statusBarTexts(): Promise<string[]> {
    return this.page.locator('.part.statusbar .statusbar-item').allInnerTexts();
  }

  /** Messages of the notification toasts now on screen. */
  async notifications(): Promise<string[]> {
    return this.page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts();
  }

  async screenshot(path: string): Promise<void> {
    await this.page.screenshot({ path });
  }

  private async pickFromQuickInput(key: string, query: string, label: string, timeoutMs: number, accept: 'Enter' | 'Escape' = 'Enter'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    // Enter on the focused row, once it is the one asked for: clicking a row races the list's re-filtering.
    const row = this.page.locator('.quick-input-list .monaco-list-row.focused').filter({ has: this.page.locator('.label-name', { hasText: exactly(label) }) });
    for (;;) {
      await this.page.locator('.monaco-workbench').focus();
      await this.page.keyboard.press(key);
      const input = this.page.locator('.quick-input-widget .quick-input-box input');
      try {
        // A webview that takes focus as it renders (the trace viewer's waterfall) closes the widget: try again.
        await input.waitFor({ state: 'visible', timeout: 10_000 });
        await input.fill(query, { timeout: 5_000 });
        await row.waitFor({ state: 'visible', timeout: 3_000 });
        await input.press(accept);
        return;
      } catch (err) {
        await this.page.keyboard.press('Escape');
        if (Date.now() > deadline) throw new Error(`'${label}' not offered for '${query}' within ${timeoutMs} ms`, { cause: err });
        await this.page.waitForTimeout(500);
      }
    }
  }
}

/** True when the frame and every frame around it are displayed. */
async function isShown(frame: Frame): Promise<boolean> {
  for (let f: Frame | null = frame; f && f.parentFrame(); f = f.parentFrame()) {
    const element = await f.frameElement().catch(() => undefined);
    if (!element || !(await element.isVisible())) return false;
  }
  return true;
}

function exactly(text: string): RegExp {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}
