/** Microsoft's beta type mappings (names only): which properties each beta entity type declares itself. */

export interface BetaType {
  readonly properties: ReadonlySet<string>;
  readonly navigationProperties: ReadonlySet<string>;
}

export interface BetaProperties {
  /** The provenance line the extract carries. */
  readonly source: string;
  /** By qualified name ("microsoft.graph.windowsAutopilotSettings"). */
  readonly types: ReadonlyMap<string, BetaType>;
}

const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === "string");

/** Reads `{ "source": "…", "<namespace>": { "<type>": { "properties": [...], "navigationProperties": [...] } } }`. */
export function readBetaProperties(json: string): BetaProperties {
  const document = JSON.parse(json) as Record<string, unknown>;
  const { source, ...namespaces } = document;
  if (typeof source !== "string") throw new Error("beta type mappings: no \"source\" line");
  const types = new Map<string, BetaType>();
  for (const [namespace, entries] of Object.entries(namespaces)) {
    if (typeof entries !== "object" || entries === null) throw new Error(`beta type mappings: ${namespace} is not an object`);
    for (const [name, entry] of Object.entries(entries as Record<string, unknown>)) {
      const { properties, navigationProperties } = (entry ?? {}) as Record<string, unknown>;
      if (!isStringList(properties) || !isStringList(navigationProperties)) throw new Error(`beta type mappings: ${namespace}.${name} lacks its name lists`);
      types.set(`${namespace}.${name}`, { properties: new Set(properties), navigationProperties: new Set(navigationProperties) });
    }
  }
  return { source, types };
}
