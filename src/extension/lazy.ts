/**
 * Heavy modules (tokenizer ranks, SQLite, the OTLP parser) are loaded through
 * `lazyModule` inside the handler that needs them, never at activation. The
 * registry records what has been loaded so the integration suite can assert
 * that activation loaded nothing heavy.
 */
const loaded = new Set<string>();

export function lazyModule<T>(name: string, load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= load().then(
      (mod) => {
        loaded.add(name);
        return mod;
      },
      (err: unknown) => {
        pending = undefined;
        throw err;
      },
    );
    return pending;
  };
}

export function loadedLazyModules(): string[] {
  return [...loaded].sort();
}
