/**
 * "Refresh prices": download genai-prices' current data.json, validate it, and
 * hand back both the table and the text for the extension to keep in global
 * storage. The bundled table is never touched: it stays the fallback.
 */
import { REMOTE_DATA_JSON_URL } from '@pydantic/genai-prices';
import { InputError } from '../../errors';
import { priceTableFromData, type PriceTable } from './priceTable';

/** Where refreshed prices come from: the URL genai-prices itself auto-updates from. */
export const PRICES_URL: string = REMOTE_DATA_JSON_URL;

export async function refreshPrices(fetchText: (url: string) => Promise<string>, url: string = PRICES_URL): Promise<{ table: PriceTable; json: string }> {
  const json = await fetchText(url);
  return { table: parse(json, url, new Date().toISOString()), json };
}

/** The copy kept in global storage; `origin` names that file in errors. */
export function loadStoredPrices(json: string, origin: string): PriceTable {
  return parse(json, origin);
}

function parse(json: string, origin: string, updatedAt?: string): PriceTable {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (err) {
    throw new InputError({ file: origin }, `not valid JSON: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return priceTableFromData(data, origin, updatedAt === undefined ? {} : { updatedAt });
}
