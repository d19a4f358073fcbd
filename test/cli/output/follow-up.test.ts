import { describe, expect, it } from "vitest";
import { cleanupCommandTable } from "../../../src/cli/config/cleanup.js";
import { importOptions } from "../../../src/cli/config/import.js";
import { graphParsing } from "../../../src/cli/options/graph.js";
import { carriedArgs, commandText } from "../../../src/cli/output/follow-up.js";

const carry = (args: string[]): string[] =>
  carriedArgs(args, importOptions, cleanupCommandTable, { prepare: graphParsing.prepare, drop: ["state-dir", "json", "force-unlock"] });

describe("carriedArgs: an import's flags that a cleanup command takes too", () => {
  it("keeps sign-in, endpoint, CA and write-limit flags with their values, drops the import's own and the files", () => {
    const args = ["a.csv", "--batch-size", "50", "--tenant", "contoso", "--client-id", "abc", "--graph-url=https://localhost:1/", "--ca-cert", "/x/ca.pem", "--json", "b.csv", "--write-limit", "50/20s", "--report", "r.csv"];
    expect(carry(args)).toEqual(["--tenant", "contoso", "--client-id", "abc", "--graph-url=https://localhost:1/", "--ca-cert", "/x/ca.pem", "--write-limit", "50/20s"]);
  });
  it("keeps switches and their negations, and a bare --managed-identity as it was given", () => {
    expect(carry(["--managed-identity", "a.csv", "--no-sync", "--device-code"])).toEqual(["--managed-identity", "--device-code"]);
    expect(carry(["--managed-identity", "11111111-2222-3333-4444-555555555555"])).toEqual(["--managed-identity=11111111-2222-3333-4444-555555555555"]);
  });
  it("drops the state directory (the hint names it absolute) and stops at --", () => {
    expect(carry(["--state-dir", "s", "--tenant", "t", "--", "--cloud", "usgov"])).toEqual(["--tenant", "t"]);
  });
  it("quotes for a POSIX shell", () => {
    expect(commandText(["cleanup", "--state-dir", "/tmp/a b"])).toBe("autopilot-import cleanup --state-dir '/tmp/a b'");
  });
});
