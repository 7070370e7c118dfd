export { InputError, formatLocation, isInputError, type SourceLocation } from './errors';
export { openInput, describeFsError, type OpenedInput } from './io/openInput';
export { readLines, type InputLine } from './io/readLines';
