import { describe, expect, it } from "vitest";
import { resolveEndpoints } from "../../src/graph/clouds.js";
import { UsageError } from "../../src/errors.js";

describe("resolveEndpoints", () => {
  it("maps each cloud to its Graph and login hosts", () => {
    expect(resolveEndpoints()).toEqual({
      graphRoot: "https://graph.microsoft.com",
      authorityHost: "https://login.microsoftonline.com",
      scope: "https://graph.microsoft.com/.default",
      customAuthority: false,
    });
    expect(resolveEndpoints({ cloud: "usgov" })).toMatchObject({
      graphRoot: "https://graph.microsoft.us",
      authorityHost: "https://login.microsoftonline.us",
    });
    expect(resolveEndpoints({ cloud: "usgovdod" })).toMatchObject({
      graphRoot: "https://dod-graph.microsoft.us",
      authorityHost: "https://login.microsoftonline.us",
      scope: "https://dod-graph.microsoft.us/.default",
    });
    expect(resolveEndpoints({ cloud: "china" })).toMatchObject({
      graphRoot: "https://microsoftgraph.chinacloudapi.cn",
      authorityHost: "https://login.chinacloudapi.cn",
    });
  });

  it("takes the emulator's Graph URL and login host, with instance discovery off", () => {
    expect(resolveEndpoints({ graphUrl: "https://127.0.0.1:8443/", authorityHost: "https://127.0.0.1:8443" })).toEqual({
      graphRoot: "https://127.0.0.1:8443",
      authorityHost: "https://127.0.0.1:8443",
      scope: "https://127.0.0.1:8443/.default",
      customAuthority: true,
    });
    expect(resolveEndpoints({ graphUrl: "https://emu.test/graph", scope: "https://graph.microsoft.com/.default" })).toMatchObject({
      graphRoot: "https://emu.test/graph",
      scope: "https://graph.microsoft.com/.default",
    });
  });

  it("refuses clear-text Graph URLs except on loopback", () => {
    expect(resolveEndpoints({ graphUrl: "http://localhost:3000" }).graphRoot).toBe("http://localhost:3000");
    expect(() => resolveEndpoints({ graphUrl: "http://graph.example" })).toThrow(UsageError);
    expect(() => resolveEndpoints({ graphUrl: "not a url" })).toThrow(UsageError);
    expect(() => resolveEndpoints({ graphUrl: "https://user:pw@graph.example" })).toThrow(UsageError);
    expect(() => resolveEndpoints({ cloud: "mars" as never })).toThrow(UsageError);
  });
});
