import { describe, expect, it } from "vitest";
import { chooseVerifyStrategy, listingBudget, registeredEstimate, verifyCosts } from "../../src/after/verify-strategy.js";

describe("registration check strategy", () => {
  it("few devices: batched lookups (one request) beat an unknown tenant's listing", () => {
    const registered = registeredEstimate(undefined, 6, 1000);
    expect(registered).toBe(1006);
    expect(chooseVerifyStrategy({ pending: 6, registered, pageSize: 1000 })).toEqual({ strategy: "targeted", requests: 1, units: 6 });
  });

  it("many devices in a tenant of modest size: listing", () => {
    expect(chooseVerifyStrategy({ pending: 60, registered: registeredEstimate(undefined, 60, 1000), pageSize: 1000 })).toEqual({ strategy: "list", requests: 2, units: 2 });
    expect(chooseVerifyStrategy({ pending: 500, registered: 3_000, pageSize: 1000 })?.strategy).toBe("list");
  });

  it("a large measured tenant: batches again", () => {
    expect(chooseVerifyStrategy({ pending: 60, registered: 100_000, pageSize: 1000 })).toEqual({ strategy: "targeted", requests: 3, units: 60 });
  });

  it("a tie in requests goes to fewer throttling units (one page beats 20 lookups)", () => {
    expect(chooseVerifyStrategy({ pending: 20, registered: 900, pageSize: 1000 })).toEqual({ strategy: "list", requests: 1, units: 1 });
  });

  it("costs nothing when nothing is pending; a listing costs at least our own devices' pages", () => {
    expect(chooseVerifyStrategy({ pending: 0, registered: 10, pageSize: 1000 })).toBeUndefined();
    expect(verifyCosts({ pending: 2_500, registered: 10, pageSize: 1000 }).find((c) => c.strategy === "list")?.requests).toBe(3);
  });

  it("a listing may read as many pages as the batches it replaces", () => {
    expect(listingBudget(1)).toBe(1);
    expect(listingBudget(60)).toBe(3);
    expect(registeredEstimate(42, 60, 1000)).toBe(42);
  });
});
