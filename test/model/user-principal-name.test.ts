import { describe, expect, it } from "vitest";
import { checkUserPrincipalName } from "../../src/model/user-principal-name.js";

describe("assigned user (UPN)", () => {
  it("is optional", () => {
    expect(checkUserPrincipalName("  ")).toEqual({ ok: true, value: undefined });
  });

  it.each(["anna.berg@contoso.com", "o'brien@contoso.onmicrosoft.com", "first_last-2@sub.corp.example", "a#b^c~d!e@x.io"])("accepts %s", (upn) => {
    expect(checkUserPrincipalName(` ${upn} `)).toEqual({ ok: true, value: upn });
  });

  it.each([
    ["anna.berg", "it has no '@'"],
    ["a@b@contoso.com", "it has more than one '@'"],
    ["@contoso.com", "it has nothing before the '@'"],
    ["anna.berg@", "it has no domain after the '@'"],
    ["anna berg@contoso.com", "it contains ' ' (space), which a user principal name cannot"],
    [".anna@contoso.com", "it has a misplaced '.' before the '@'"],
    ["anna..berg@contoso.com", "it has a misplaced '.' before the '@'"],
    ["anna@contoso", "it has an invalid domain after the '@'"],
    ["anna@-contoso.com", "it has an invalid domain after the '@'"],
    [`${"a".repeat(65)}@contoso.com`, "it has 65 characters before the '@'; the maximum is 64"],
    [`anna@${"d".repeat(45)}.com`, "it has 49 characters after the '@'; the maximum is 48"],
  ])("rejects %s: %s", (upn, why) => {
    const result = checkUserPrincipalName(upn);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.code).toBe("upn_invalid");
    expect(!result.ok && result.reason).toContain(`is not a valid user principal name: ${why} (expected name@domain.com)`);
  });

  it("quotes the value in the message, shortened and with controls escaped", () => {
    const result = checkUserPrincipalName(`x\u0001${"y".repeat(200)}`);
    expect(!result.ok && result.reason).toBe(`'x\\u0001${"y".repeat(52)}…' is not a valid user principal name: it is 202 characters long; the maximum is 113 (expected name@domain.com)`);
  });
});
