/**
 * Shared contracts of the token and cost lens (src/core/tokens). Plain data:
 * the extension and the CLI translate these to and from their own types.
 */

/** OpenAI-family encodings we count exactly (gpt-tokenizer, loaded lazily). */
export type EncodingName = 'o200k_base' | 'cl100k_base' | 'o200k_harmony';
export const encodingNames: readonly EncodingName[] = ['o200k_base', 'cl100k_base', 'o200k_harmony'];

/** 0-based, like LSP and vscode.Position; `character` counts UTF-16 code units. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** A counter for one encoding. `count` must equal the reference tokenizer exactly. */
export interface TokenCounter {
  readonly encoding: EncodingName;
  count(text: string): number;
}

/** How a model's tokens are counted: exactly with an encoding, or estimated from o200k. */
export interface ModelTokenization {
  model: string;
  encoding: EncodingName;
  /** False for models without a public tokenizer (Anthropic, Google, …): shown with "≈". */
  exact: boolean;
  /** Multiplier applied to the encoding's count (1 when exact). */
  factor: number;
  /** Human-readable basis of the number, e.g. "o200k_base × 1.20 (Anthropic has no public tokenizer)". */
  basis: string;
}

export type PromptKind =
  | 'message' // content of a {role, content} message
  | 'system' // system= / system: argument
  | 'instructions' // instructions= / instructions:
  | 'prompt' // prompt= / prompt:
  | 'template' // ChatPromptTemplate / PromptTemplate / from_template / from_messages
  | 'variable' // constants or variables named *_PROMPT, *_TEMPLATE, *prompt, *instructions
  | 'file'; // a whole prompt file, or one message of it

export type PlaceholderSyntax = '{x}' | '{{x}}' | '${x}' | '{%x%}';

/** A dynamic part of a prompt: counts as zero tokens and is reported. */
export interface Placeholder {
  /** The expression inside, e.g. `ticket` for `{ticket}`, `user.name` for `${user.name}`. */
  name: string;
  syntax: PlaceholderSyntax;
  range: Range;
}

export type MessageRole = 'system' | 'developer' | 'user' | 'assistant' | 'tool';

/** One prompt found in a source file or prompt file. */
export interface DetectedPrompt {
  kind: PromptKind;
  /** The whole literal expression (all concatenated parts, quotes included). */
  range: Range;
  /** The static text as the program sends it: escapes decoded, placeholders removed. */
  text: string;
  placeholders: Placeholder[];
  role?: MessageRole;
  /** Model named by the same call, the prompt file's front matter or `model:` field. */
  model?: string;
  /** `max_tokens` / `max_completion_tokens` / `maxOutputTokens` of the same call. */
  maxOutputTokens?: number;
  /** The same call or message carries Anthropic `cache_control`. */
  cacheControl?: boolean;
  /**
   * Prompts of one call (the messages of one `messages` list) share a group id,
   * so the lens can add chat-format overhead once per call.
   */
  group?: string;
}

export type SourceLanguage = 'python' | 'typescript' | 'typescriptreact' | 'javascript' | 'javascriptreact';
