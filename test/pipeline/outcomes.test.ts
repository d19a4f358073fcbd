import { describe, expect, it } from "vitest";
import { adviceFor, isTerminal, timeoutMessage, verdictFor } from "../../src/pipeline/outcomes.js";
import { ERROR_CODE_ADVICE, ERROR_NAME_ADVICE } from "../../src/pipeline/remedies.js";
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
    expect(v808.message).toMatch(/Whoever registered it must deregister it: .*Intune.*Partner Center/);
    expect(v808.message).toMatch(/support case from the Intune admin center with proof of ownership/);
    // Microsoft Store for Business is retired: no remedy may send anyone there.
    for (const code of [808, 811]) expect(adviceFor(code, null)).not.toMatch(/Store for Business|MSfB/);
    expect(adviceFor(802, "InvalidZtdHardwareHash")).toMatch(/Recapture the hash/);
  });

  it("explains errors known by name only, and unknown codes generically", () => {
    expect(adviceFor(0, "ZtdDeviceDuplicated")).toMatch(/same hardware hash was submitted twice/);
    expect(adviceFor(999, "Weird")).toMatch(/rejected the device \(999 Weird\)/);
  });
});

describe("remedy per DDS code", () => {
  // code → the name its text must carry and what it must say (sources: src/pipeline/remedies.ts).
  const expected: ReadonlyArray<[number, string, RegExp]> = [
    [801, "InvalidZtdRequestBody", /could not read the request.*support case/],
    [802, "InvalidZtdHardwareHash", /Recapture the hash/],
    [803, "MissingZtdSerialNumberAndProductKey", /neither a usable serial number nor a product key/],
    [806, "ZtdDeviceAlreadyAssigned", /already registered in this tenant.*nothing to do/i],
    [807, "ZtdDeviceIsNotRegistered", /not registered to this tenant.*right tenant/],
    [808, "ZtdDeviceAssignedToOtherTenant", /another tenant.*Whoever registered it must deregister it.*support case .*with proof of ownership/],
    [809, "ZtdProfileIsNotRegistered", /deployment profile that is not registered to this tenant/],
    [810, "ZtdProfileAssignedToOtherTenant", /deployment profile belongs to another tenant/],
    [811, "ZtdDeviceRegisteredByOtherTenant", /registered by another tenant.*Whoever registered it must deregister it.*proof of ownership/],
    [812, "ZtdDeviceNotFound", /found no device matching this record/],
    [813, "ZtdDeviceIsNotUnique", /could not identify the device uniquely/],
    [814, "ZtdDeviceAlreadyAadRegistered", /already exists in Microsoft Entra ID/],
  ];

  it.each(expected)("%i names %s and says what to do", (code, name, gist) => {
    const advice = adviceFor(code, null);
    expect(advice).toContain(`(${name})`);
    expect(advice).toMatch(gist);
  });

  it("covers exactly the codes above, each with its own text", () => {
    expect(Object.keys(ERROR_CODE_ADVICE).map(Number)).toEqual(expected.map(([code]) => code));
    const texts = Object.values(ERROR_CODE_ADVICE);
    expect(new Set(texts).size).toBe(texts.length);
  });

  it("keeps 810 to 813 on their own meanings, not shifted by one", () => {
    expect(adviceFor(810, null)).toMatch(/ProfileAssignedToOtherTenant/);
    expect(adviceFor(811, null)).toMatch(/DeviceRegisteredByOtherTenant/);
    expect(adviceFor(811, null)).toMatch(/another tenant/);
    expect(adviceFor(812, null)).toMatch(/DeviceNotFound/);
    expect(adviceFor(812, null)).toMatch(/found no device/);
    expect(adviceFor(813, null)).toMatch(/DeviceIsNotUnique/);
    expect(adviceFor(813, null)).not.toMatch(/Entra/);
  });

  it("no longer sends anyone to the retired Microsoft Store for Business", () => {
    for (const text of [...Object.values(ERROR_CODE_ADVICE), ...Object.values(ERROR_NAME_ADVICE)]) {
      expect(text).not.toMatch(/Store for Business/i);
    }
  });

  it("keys on the number whatever name comes with it", () => {
    expect(adviceFor(808, "ZtdDeviceAssignedToAnotherTenant")).toBe(adviceFor(808, "ZtdDeviceAssignedToOtherTenant"));
    expect(adviceFor(812, "SomethingElse")).toBe(adviceFor(812, null));
  });

  it("explains ZtdDeviceDuplicated and StorageError by name, in any case", () => {
    expect(adviceFor(0, "ztddeviceduplicated")).toMatch(/\(ZtdDeviceDuplicated\).*only one copy was processed.*remove the duplicate row/);
    expect(adviceFor(0, "StorageError")).toMatch(/\(StorageError\).*again later/);
  });

  it("falls back to the generic text for codes and names it does not know", () => {
    expect(adviceFor(815, null)).toBe(
      "The Device Directory Service rejected the device (815). See Microsoft's Windows Autopilot import error list for this code.",
    );
    expect(adviceFor(0, "")).toBe(
      "The Device Directory Service rejected the device. See Microsoft's Windows Autopilot import error list for this code.",
    );
    expect(adviceFor(0, "constructor")).toMatch(/rejected the device \(constructor\)/);
    expect(adviceFor(805, "ZtdSomethingNew")).toMatch(/rejected the device \(805 ZtdSomethingNew\)/);
  });

});

describe("timeouts", () => {
  it("words timeouts, with partial reported as such", () => {
    expect(timeoutMessage("partial", 1_800_000)).toBe("partial at deadline");
    expect(timeoutMessage("unknown", 1_800_000)).toMatch(/^still unknown after 30 min/);
    expect(timeoutMessage("pending", 5_000)).toMatch(/^still pending after 5 s/);
  });
});
