import { bundledPriceTable, parsePriceOverrides, withOverrides, type PriceTable } from './priceTable';
import { loadStoredPrices } from './refresh';

/**
 * What a price table is built from, as plain data a worker thread can receive (a PriceTable has methods,
 * which structured clone drops): the bundled genai-prices table, then these.
 */
export interface PriceInputs {
  /** The text of the refreshed copy of genai-prices' data.json (the extension keeps it in global storage). */
  storedJson?: string;
  /** Names that copy in messages, e.g. its path. */
  storedOrigin?: string;
  /** The `agentOps.priceOverrides` setting as the user wrote it; validated where the table is built. */
  overrides?: unknown;
}

/** An input that was ignored (falling back to the bundled table, or to no overrides). */
export interface PriceProblem {
  input: 'storedPrices' | 'overrides';
  message: string;
}

/** The bundled table, the refreshed copy when it is valid, then the overrides when they are valid. */
export function priceTableFromInputs(inputs: PriceInputs): { table: PriceTable; problems: PriceProblem[] } {
  const problems: PriceProblem[] = [];
  let table = bundledPriceTable();
  if (inputs.storedJson !== undefined) {
    try {
      table = loadStoredPrices(inputs.storedJson, inputs.storedOrigin ?? 'refreshed prices');
    } catch (err) {
      problems.push({ input: 'storedPrices', message: err instanceof Error ? err.message : String(err) });
    }
  }
  try {
    table = withOverrides(table, parsePriceOverrides(inputs.overrides, 'settings'));
  } catch (err) {
    problems.push({ input: 'overrides', message: err instanceof Error ? err.message : String(err) });
  }
  return { table, problems };
}

/** The settings value may be a VS Code configuration proxy, which structured clone rejects: pass it as JSON. */
export function plainPriceInputs(prices: PriceInputs): PriceInputs {
  const { storedJson, storedOrigin, overrides } = prices;
  const json = overrides === undefined ? undefined : JSON.stringify(overrides);
  return {
    ...(storedJson !== undefined ? { storedJson } : {}),
    ...(storedOrigin !== undefined ? { storedOrigin } : {}),
    ...(json !== undefined ? { overrides: JSON.parse(json) as unknown } : {}),
  };
}
