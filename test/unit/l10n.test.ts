import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { isTraceViewerToWebview } from '../../src/shared/traceViewerProtocol';
import { format } from '../../webview/traceViewer/format';

const root = resolve(__dirname, '..', '..');

describe('l10n', () => {
  // @vscode/l10n-dev deletes the global WebAssembly.instantiateStreaming when it loads (for its tree-sitter
  // parser under Node): load it only for this test, and put the global back for the tests after it.
  const wasm = (globalThis as unknown as { WebAssembly: object }).WebAssembly; // not in this project's lib
  const saved = Object.getOwnPropertyDescriptor(wasm, 'instantiateStreaming');
  after(() => {
    if (saved && !Object.getOwnPropertyDescriptor(wasm, 'instantiateStreaming')) Object.defineProperty(wasm, 'instantiateStreaming', saved);
  });

  it('l10n/bundle.l10n.json holds exactly the vscode.l10n.t strings of src/extension (else run `npm run l10n`)', async () => {
    const { getL10nJson } = await import('@vscode/l10n-dev');
    // The files `vscode-l10n-dev export ./src/extension` reads.
    const dir = join(root, 'src', 'extension');
    const files = (readdirSync(dir, { recursive: true }) as string[])
      .filter((f) => /\.(ts|tsx|js|jsx)$/.test(f))
      .sort()
      .map((f) => ({ extension: extname(f), contents: readFileSync(join(dir, f), 'utf8') }));
    const expected = await getL10nJson(files);
    const committed: unknown = JSON.parse(readFileSync(join(root, 'l10n', 'bundle.l10n.json'), 'utf8'));
    assert.ok(Object.keys(expected).includes('Could not read this file'), 'the trace viewer strings are found');
    assert.deepEqual(committed, expected, 'l10n/bundle.l10n.json is out of date: run `npm run l10n`');
  });

  it('the trace viewer webview gets its strings in an init message', () => {
    assert.ok(isTraceViewerToWebview({ type: 'init', strings: { reading: 'Reading…', allTraces: '← All traces ({0})' } }));
    assert.ok(!isTraceViewerToWebview({ type: 'init' }));
    assert.ok(!isTraceViewerToWebview({ type: 'init', strings: ['Reading…'] }));
    assert.ok(!isTraceViewerToWebview({ type: 'init', strings: { reading: 1 } }));
  });

  it('format fills {0}-style placeholders and leaves those without an argument', () => {
    assert.equal(format('← All traces ({0})', 2), '← All traces (2)');
    assert.equal(format('{1} of {0}, {1} again', 'a', 'b'), 'b of a, b again');
    assert.equal(format('{0} and {1}', 'x'), 'x and {1}');
    assert.equal(format('no placeholder'), 'no placeholder');
    assert.equal(format('{0}', '$1 {1}', 'y'), '$1 {1}', 'an argument is inserted as it is, not scanned again');
  });
});
