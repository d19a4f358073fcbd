import http from "node:http";
import https from "node:https";
import type { ClientRequest } from "node:http";
import type { Socket } from "node:net";
import tls from "node:tls";
import { HttpsProxyAgent, type HttpsProxyAgentOptions } from "https-proxy-agent";
import { UsageError } from "../errors.js";
import { bypassesProxy, parseNoProxy, parseProxyUrl, type ProxyConfig } from "./proxy.js";

export interface TransportOptions {
  /** PEM certificate(s) trusted in addition to Node's bundled roots, for Graph and for token requests. */
  readonly caCertificate?: string;
  readonly proxy?: ProxyConfig;
  /** Sockets per host; size it above the number of requests in flight (uploads + poller). Default 32. */
  readonly maxSockets?: number;
}

/** Connection pooling, TLS trust and proxy choice, shared by the Graph client and the credential. */
export interface Transport {
  /** The keep-alive agent to use for `url` (direct, through the proxy, plain http for a loopback emulator). */
  agentFor(url: URL | string): http.Agent;
  /** Closes pooled sockets (end of run, end of test). */
  destroy(): void;
}

type AgentConnectOpts = Parameters<HttpsProxyAgent<string>["connect"]>[1];

// HttpsProxyAgent applies its constructor's TLS options to the proxy hop only; the tunnelled TLS session to the
// target is built from per-request options, so the custom CA is injected there.
class TrustingHttpsProxyAgent extends HttpsProxyAgent<string> {
  constructor(
    proxy: string,
    private readonly targetTls: tls.ConnectionOptions,
    options: HttpsProxyAgentOptions<string>,
  ) {
    super(proxy, options);
  }

  override connect(req: ClientRequest, opts: AgentConnectOpts): Promise<Socket> {
    return super.connect(req, { ...opts, ...this.targetTls } as AgentConnectOpts);
  }
}

export function createTransport(options: TransportOptions = {}): Transport {
  const maxSockets = options.maxSockets ?? 32;
  if (!Number.isSafeInteger(maxSockets) || maxSockets < 1) {
    throw new UsageError(`maxSockets must be a positive integer, got ${String(options.maxSockets)}`);
  }
  // Added to, not instead of, Node's own trust: a corporate CA must not break Microsoft's own endpoints.
  const trust: tls.ConnectionOptions = options.caCertificate ? { ca: [...defaultTrust(), options.caCertificate] } : {};
  const proxyUrl = options.proxy?.url ? parseProxyUrl(options.proxy.url).href : undefined;
  const noProxy = parseNoProxy(options.proxy?.noProxy);

  const direct = new https.Agent({ keepAlive: true, maxSockets, ...trust });
  const plain = new http.Agent({ keepAlive: true, maxSockets });
  const proxied = proxyUrl
    ? new TrustingHttpsProxyAgent(proxyUrl, trust, { keepAlive: true, maxSockets, ...trust })
    : undefined;

  return {
    agentFor(input) {
      const url = typeof input === "string" ? new URL(input) : input;
      // Plain http is only ever a local emulator: never proxied.
      if (url.protocol === "http:") return plain;
      return proxied && !bypassesProxy(url, noProxy) ? proxied : direct;
    },
    destroy() {
      direct.destroy();
      plain.destroy();
      proxied?.destroy();
    },
  };
}

/**
 * What Node trusts when no `ca` is given. An explicit `ca` replaces it, so it is given back here: Node 22.15+ tells
 * its whole default list (NODE_EXTRA_CA_CERTS and, when enabled, the system store); older Nodes give the bundled roots
 * and the CLI adds NODE_EXTRA_CA_CERTS to --ca-cert itself.
 */
export function defaultTrust(): string[] {
  const getter = (tls as { getCACertificates?: (type: "default") => string[] }).getCACertificates;
  return typeof getter === "function" ? getter("default") : [...tls.rootCertificates];
}
