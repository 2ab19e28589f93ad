/**
 * Request and response metadata: lower-case keys, string values. A plain object rather
 * than `Headers`, so it is cheap to create per call and prints well in logs.
 */
export type Metadata = Record<string, string>;

/** Keys are case-insensitive on every wire we speak, so we store them lower-case. */
export function normalizeMetadata(input: Readonly<Record<string, string>> | undefined): Metadata {
  const out: Metadata = {};
  if (!input) return out;
  for (const key of Object.keys(input)) out[key.toLowerCase()] = String(input[key]);
  return out;
}

/** Later sources win; used to lay call options over propagated metadata. */
export function mergeMetadata(...sources: (Readonly<Metadata> | undefined)[]): Metadata {
  const out: Metadata = {};
  for (const source of sources) {
    if (!source) continue;
    for (const key of Object.keys(source)) out[key.toLowerCase()] = source[key] as string;
  }
  return out;
}
