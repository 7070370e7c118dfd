/** Finding prompts in source code and prompt files. */
export { createPromptDetector, defaultWasmDir, type PromptDetector, type PromptDetectorOptions } from './detector';
export { detectPromptFile, isPromptFile, type PromptFileOptions } from './promptFiles';
export { globToRegExp } from './glob';
export { codeScan, placeholdersIn, scanPlaceholders, stripPlaceholders, type PlaceholderMatch, type ScanOptions } from './placeholders';
export { LineIndex } from './common';
