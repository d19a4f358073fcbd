import { describe, expect, it } from "vitest";
import { EXPORT_CSV_COLUMNS, EXPORT_JSON_COLUMNS, type ExportedDevice } from "../../src/export/columns.js";
import { lineFormatter } from "../../src/report/format.js";

const NEVER_ENROLLED: ExportedDevice = {
  id: "ap-1",
  serialNumber: "SN-1",
  manufacturer: null,
  groupTag: "=cmd",
  enrollmentState: "notContacted",
  lastContactedDateTime: "0001-01-01T00:00:00Z",
  azureActiveDirectoryDeviceId: "",
  managedDeviceId: "00000000-0000-0000-0000-000000000000",
};

describe("export columns", () => {
  it("CSV: the import's names, Graph's 'never' and zero ids as empty cells, formulas neutralised as in the report", () => {
    const csv = lineFormatter(EXPORT_CSV_COLUMNS, "csv");
    expect(csv.header).toBe(
      "Device Serial Number,Manufacturer name,Device model,Group Tag,Assigned User,Display Name,Enrollment State,Profile Assignment Status,Purchase Order,Last Contacted,Autopilot Device ID,Entra Device ID,Intune Device ID\r\n",
    );
    expect(csv.line(NEVER_ENROLLED)).toBe("SN-1,,,'=cmd,,,notContacted,,,,ap-1,,\r\n");
  });

  it("JSON Lines: Graph's property names, absent values as null", () => {
    const json = JSON.parse(lineFormatter(EXPORT_JSON_COLUMNS, "jsonl").line({ ...NEVER_ENROLLED, lastContactedDateTime: "2026-01-05T08:00:00Z", managedDeviceId: "md-1" })) as Record<string, unknown>;
    expect(json).toEqual({
      serialNumber: "SN-1", manufacturer: "", model: "", groupTag: "=cmd", userPrincipalName: "", displayName: "", enrollmentState: "notContacted",
      deploymentProfileAssignmentStatus: null, purchaseOrderIdentifier: "", lastContactedDateTime: "2026-01-05T08:00:00Z", id: "ap-1",
      azureActiveDirectoryDeviceId: null, managedDeviceId: "md-1",
    });
  });
});
