import { UsageError } from "../errors.js";

export type CloudName = "public" | "usgov" | "usgovdod" | "china";

export const CLOUDS: Readonly<Record<CloudName, { readonly graph: string; readonly login: string }>> = {
  public: { graph: "https://graph.microsoft.com", login: "https://login.microsoftonline.com" },
  usgov: { graph: "https://graph.microsoft.us", login: "https://login.microsoftonline.us" },
  usgovdod: { graph: "https://dod-graph.microsoft.us", login: "https://login.microsoftonline.us" },
  china: { graph: "https://microsoftgraph.chinacloudapi.cn", login: "https://login.chinacloudapi.cn" },
};

export interface EndpointOptions {
  readonly cloud?: CloudName;
  /** Overrides the Graph root (the emulator), e.g. "https://127.0.0.1:8443". */
  readonly graphUrl?: string;
  /** Overrides the login host. */
  readonly authorityHost?: string;
  /** Overrides the token scope; default `${graphRoot}/.default`. */
  readonly scope?: string;
}

export interface Endpoints {
  /** Graph root without a trailing slash; requests go to `${graphRoot}/${version}${path}`. */
  readonly graphRoot: string;
  readonly authorityHost: string;
  readonly scope: string;
  /** True when the login host is not one of Microsoft's: instance discovery must be off. */
  readonly customAuthority: boolean;
}

const KNOWN_LOGIN_HOSTS = new Set(Object.values(CLOUDS).map((c) => c.login));
const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

// A bearer token must never travel in clear text, except to a local emulator.
function checkedUrl(value: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${what} is not a valid URL: ${value}`);
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK.has(url.hostname))) {
    throw new UsageError(`${what} must use https (http is allowed for localhost only): ${value}`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new UsageError(`${what} must not contain a query, fragment or credentials: ${value}`);
  }
  return url;
}

function withoutTrailingSlash(url: URL): string {
  return `${url.origin}${url.pathname}`.replace(/\/+$/, "");
}

/** Resolves the Graph root, login host and token scope for a cloud and its overrides. */
export function resolveEndpoints(options: EndpointOptions = {}): Endpoints {
  const cloudName = options.cloud ?? "public";
  const cloud = CLOUDS[cloudName];
  if (!cloud) throw new UsageError(`unknown cloud '${String(cloudName)}' (expected ${Object.keys(CLOUDS).join(", ")})`);
  const graphRoot = options.graphUrl ? withoutTrailingSlash(checkedUrl(options.graphUrl, "Graph URL")) : cloud.graph;
  const authorityHost = options.authorityHost
    ? withoutTrailingSlash(checkedUrl(options.authorityHost, "authority host"))
    : cloud.login;
  if (!authorityHost.startsWith("https:")) throw new UsageError(`authority host must use https: ${authorityHost}`);
  return {
    graphRoot,
    authorityHost,
    scope: options.scope ?? `${graphRoot}/.default`,
    customAuthority: !KNOWN_LOGIN_HOSTS.has(authorityHost),
  };
}
