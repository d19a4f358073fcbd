import { UsageError } from "../errors.js";

/** Proxy settings, passed in by the CLI (from HTTPS_PROXY / NO_PROXY or flags): the library never reads env. */
export interface ProxyConfig {
  /** e.g. "http://proxy.corp:3128" (credentials in the URL are allowed). */
  readonly url?: string;
  /** Hosts that bypass the proxy: a list, or NO_PROXY's comma-separated text. */
  readonly noProxy?: string | readonly string[];
}

interface NoProxyEntry {
  readonly host: string;
  readonly port: string | undefined;
  /** ".corp" / "*.corp": subdomains only; plain "corp.example": the host and its subdomains (curl's reading). */
  readonly suffixOnly: boolean;
}

/** Parses NO_PROXY text into entries; "*" becomes a single wildcard entry. */
export function parseNoProxy(noProxy: string | readonly string[] | undefined): NoProxyEntry[] {
  const items = typeof noProxy === "string" ? noProxy.split(/[\s,]+/) : [...(noProxy ?? [])];
  const entries: NoProxyEntry[] = [];
  for (const raw of items) {
    let item = raw.trim().toLowerCase();
    if (!item) continue;
    if (item === "*") return [{ host: "*", port: undefined, suffixOnly: false }];
    let port: string | undefined;
    const portMatch = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(item);
    if (portMatch) {
      item = portMatch[1]!;
      port = portMatch[2];
    }
    const suffixOnly = item.startsWith(".") || item.startsWith("*.");
    entries.push({ host: item.replace(/^\*?\./, "").replace(/^\[|\]$/g, ""), port, suffixOnly });
  }
  return entries;
}

/** Whether `url` must be reached directly rather than through the proxy. */
export function bypassesProxy(url: URL, entries: readonly NoProxyEntry[]): boolean {
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, "");
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return entries.some((entry) => {
    if (entry.host === "*") return true;
    if (entry.port !== undefined && entry.port !== port) return false;
    if (host.endsWith(`.${entry.host}`)) return true;
    return !entry.suffixOnly && host === entry.host;
  });
}

/** Validates a proxy URL once at the edge. */
export function parseProxyUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`proxy is not a valid URL (expected e.g. http://proxy:3128)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`proxy must be an http:// or https:// URL, got ${url.protocol}`);
  }
  return url;
}
