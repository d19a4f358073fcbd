import { describe, expect, it } from "vitest";
import { bypassesProxy, parseNoProxy, parseProxyUrl } from "../../src/graph/proxy.js";
import { UsageError } from "../../src/errors.js";

const bypass = (url: string, noProxy: string) => bypassesProxy(new URL(url), parseNoProxy(noProxy));

describe("NO_PROXY", () => {
  it("matches a host and its subdomains", () => {
    expect(bypass("https://graph.microsoft.com/v1.0", "microsoft.com")).toBe(true);
    expect(bypass("https://microsoft.com/", "microsoft.com")).toBe(true);
    expect(bypass("https://notmicrosoft.com/", "microsoft.com")).toBe(false);
  });

  it("a leading dot or *. matches subdomains only", () => {
    expect(bypass("https://graph.corp.example/", ".corp.example")).toBe(true);
    expect(bypass("https://corp.example/", ".corp.example")).toBe(false);
    expect(bypass("https://graph.corp.example/", "*.corp.example")).toBe(true);
  });

  it("honours ports, IPs, case, separators and the * wildcard", () => {
    expect(bypass("https://127.0.0.1:8443/", "localhost, 127.0.0.1:8443")).toBe(true);
    expect(bypass("https://127.0.0.1:9443/", "127.0.0.1:8443")).toBe(false);
    expect(bypass("https://GRAPH.Example/", "graph.example")).toBe(true);
    expect(bypass("https://[::1]:8443/", "[::1]")).toBe(true);
    expect(bypass("https://anything/", "*")).toBe(true);
    expect(bypass("https://graph.microsoft.com/", "")).toBe(false);
    expect(bypassesProxy(new URL("https://a.example/"), parseNoProxy(["b.example", "a.example"]))).toBe(true);
  });
});

describe("parseProxyUrl", () => {
  it("accepts http(s) proxies and rejects others", () => {
    expect(parseProxyUrl("http://proxy:3128").host).toBe("proxy:3128");
    expect(() => parseProxyUrl("socks5://proxy:1080")).toThrow(UsageError);
    expect(() => parseProxyUrl("proxy")).toThrow(UsageError);
  });
});
