// The token and cost lens, as the extension loads it lazily and the CLI uses it.
export { TokenLens, sourceLanguageOf, type LensDocument, type LensSettings, type PromptEstimate, type ModelEstimate, type CallEstimate } from './lens';
export { bundledPriceTable, withOverrides, parsePriceOverrides, type PriceTable, type ModelPrice } from './pricing/priceTable';
export { refreshPrices, loadStoredPrices } from './pricing/refresh';
export { priceTableFromInputs, plainPriceInputs, type PriceInputs, type PriceProblem } from './pricing/inputs';
export { compressPrompt, type CompressionResult } from './compress';
export { tokenizationFor } from './models';
export { defaultWasmDir } from './detect';
export * from './types';
export { literalContent } from './literalContent';
