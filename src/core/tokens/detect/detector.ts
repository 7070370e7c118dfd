/**
 * Finds prompts in source code with tree-sitter (WebAssembly, from @vscode/tree-sitter-wasm).
 *
 * The wasm files are read from `wasmDir`, never relative to this module: once bundled, this code
 * lives in dist/extension.js or dist/cli.js and the .wasm files in a folder next to it.
 */
import * as path from 'node:path';
import { Language, Parser, type Tree } from '@vscode/tree-sitter-wasm';
import type { DetectedPrompt, SourceLanguage } from '../types';
import { detectPython } from './python';
import { detectTypeScript } from './typescript';

export interface PromptDetectorOptions {
  /** Folder holding tree-sitter.wasm and tree-sitter-<grammar>.wasm. */
  wasmDir: string;
  /** Languages whose grammars are loaded up front (default: all). Others make `detect` throw. */
  languages?: readonly SourceLanguage[];
  /**
   * Also report a prompt defined in the same file where a call uses it by name
   * (`{"role": "system", "content": SYSTEM_PROMPT}`), so that each call's total counts it (default true).
   */
  references?: boolean;
}

export interface PromptDetector {
  /** Prompts in `source`, in document order. Synchronous: grammars are loaded by createPromptDetector. */
  detect(source: string, language: SourceLanguage): DetectedPrompt[];
  /** Frees the parsers' wasm memory; the detector must not be used afterwards. */
  dispose(): void;
}

type Grammar = 'python' | 'typescript' | 'tsx' | 'javascript';

const grammarOf: Readonly<Record<SourceLanguage, Grammar>> = {
  python: 'python',
  typescript: 'typescript',
  typescriptreact: 'tsx',
  javascript: 'javascript',
  javascriptreact: 'javascript', // the JavaScript grammar includes JSX
};

const allLanguages = Object.keys(grammarOf) as SourceLanguage[];

// The runtime is process-wide: Parser.init must run once, whatever the number of detectors.
let runtime: Promise<void> | undefined;
const grammars = new Map<string, Promise<Language>>();

function initRuntime(wasmDir: string): Promise<void> {
  runtime ??= Parser.init({ locateFile: (file: string) => path.join(wasmDir, file) }).catch((err: unknown) => {
    runtime = undefined;
    throw err;
  });
  return runtime;
}

function loadGrammar(wasmDir: string, grammar: Grammar): Promise<Language> {
  const file = path.join(wasmDir, `tree-sitter-${grammar}.wasm`);
  let loaded = grammars.get(file);
  if (!loaded) {
    loaded = Language.load(file);
    loaded.catch(() => grammars.delete(file));
    grammars.set(file, loaded);
  }
  return loaded;
}

export async function createPromptDetector(options: PromptDetectorOptions): Promise<PromptDetector> {
  await initRuntime(options.wasmDir);
  const wanted = [...new Set((options.languages ?? allLanguages).map((l) => grammarOf[l]))];
  const parsers = new Map<Grammar, Parser>();
  for (const [grammar, language] of await Promise.all(wanted.map(async (g) => [g, await loadGrammar(options.wasmDir, g)] as const))) {
    const parser = new Parser();
    parser.setLanguage(language);
    parsers.set(grammar, parser);
  }
  return {
    detect(source, language) {
      const parser = parsers.get(grammarOf[language]);
      if (!parser) throw new Error(`the prompt detector was created without the ${language} grammar`);
      let tree: Tree | null = null;
      try {
        tree = parser.parse(source);
        if (!tree) return [];
        const references = options.references ?? true;
        return language === 'python' ? detectPython(tree.rootNode, source, references) : detectTypeScript(tree.rootNode, source, references);
      } finally {
        tree?.delete();
      }
    },
    dispose() {
      for (const parser of parsers.values()) parser.delete();
      parsers.clear();
    },
  };
}

/** The wasm folder of the installed @vscode/tree-sitter-wasm (tests, and the CLI run from source). */
export function defaultWasmDir(): string {
  // A variable, so that esbuild leaves the lookup to run time instead of warning about it.
  const manifest = '@vscode/tree-sitter-wasm/package.json';
  return path.join(path.dirname(require.resolve(manifest)), 'wasm');
}
