import { describe, expect, it } from "vitest";
import { adviceFor, isTerminal, timeoutMessage, verdictFor } from "../../src/pipeline/outcomes.js";
import type { ImportedDeviceIdentity } from "../../src/graph/resources.js";

function staged(state: ImportedDeviceIdentity["state"]): ImportedDeviceIdentity {
  return { id: "staged-1", serialNumber: "SN1", state };
}

describe("outcome mapping", () => {
  it("treats complete and error as final, the rest as in progress", () => {
    expect(["unknown", "pending", "partial", "complete", "error"].map((s) => isTerminal(s as never))).toEqual([
      false,
      false,
      false,
      true,
      true,
    ]);
  });

  it("maps complete to imported with its registration id", () => {
    expect(verdictFor(staged({ deviceImportStatus: "complete", deviceRegistrationId: "reg-1", deviceErrorCode: 0 }))).toEqual({
      status: "imported",
      errorCode: "",
      errorName: "",
      message: "",
      deviceRegistrationId: "reg-1",
    });
  });

  it("maps 806 to already_registered whatever its name", () => {
    const verdict = verdictFor(staged({ deviceImportStatus: "error", deviceErrorCode: 806, deviceErrorName: "SomeOtherSpelling" }));
    expect(verdict.status).toBe("already_registered");
    expect(verdict.errorCode).toBe("806");
    expect(verdict.message).toMatch(/already registered in this tenant/i);
  });

  it("explains 808 and 802 to the operator", () => {
    const v808 = verdictFor(staged({ deviceImportStatus: "error", deviceErrorCode: 808, deviceErrorName: "ZtdDeviceAssignedToAnotherTenant" }));
    expect(v808).toMatchObject({ status: "failed", errorCode: "808", errorName: "ZtdDeviceAssignedToAnotherTenant" });
    expect(v808.message).toMatch(/other tenant must deregister it/);
    expect(v808.message).toMatch(/support case with proof of ownership/);
    expect(adviceFor(802, "InvalidZtdHardwareHash")).toMatch(/Recapture the hash/);
  });

  it("explains errors known by name only, and unknown codes generically", () => {
    expect(adviceFor(0, "ZtdDeviceDuplicated")).toMatch(/same hardware hash was submitted twice/);
    expect(adviceFor(999, "Weird")).toMatch(/rejected the device \(999 Weird\)/);
  });

  it("words timeouts, with partial reported as such", () => {
    expect(timeoutMessage("partial", 1_800_000)).toBe("partial at deadline");
    expect(timeoutMessage("unknown", 1_800_000)).toMatch(/^still unknown after 30 min/);
    expect(timeoutMessage("pending", 5_000)).toMatch(/^still pending after 5 s/);
  });
});
