import { describe, expect, it } from "vitest";
import { permissionRefusal } from "../../src/emulator/auth/permissions.js";

const GRANTED = { applicationPermission: true, delegatedPermission: true, userIntuneRole: true, managedDevicesPermission: true } as const;
const APP = { tenantId: "t", clientId: "c" };
const USER = { ...APP, scp: "DeviceManagementServiceConfig.ReadWrite.All", upn: "admin@contoso.com" };
const STAGED = ["deviceManagement", "importedWindowsAutopilotDeviceIdentities"];

describe("Intune's 403 for a token without the permission (permissionRefusal)", () => {
  it("lets a granted app and a user with the scope and a role through", () => {
    expect(permissionRefusal(APP, STAGED, GRANTED)).toBeUndefined();
    expect(permissionRefusal(USER, STAGED, GRANTED)).toBeUndefined();
  });

  it("refuses an app without the application permission, in app-only words", () => {
    const refusal = permissionRefusal(APP, STAGED, { ...GRANTED, applicationPermission: false });
    expect(refusal?.status).toBe(403);
    expect(refusal?.code).toBe("Forbidden");
    expect(JSON.parse(refusal!.message).Message).toMatch(/^Application is not authorized to perform this operation as called in app only context\. Application must have one of the following scopes: .*DeviceManagementServiceConfig\.ReadWrite\.All/);
  });

  it("refuses a user token whose scp lacks the permission, and a user without an Intune role", () => {
    expect(JSON.parse(permissionRefusal({ ...USER, scp: "User.Read" }, STAGED, GRANTED)!.message).Message).toMatch(/^Application is not authorized to perform this operation\. Application must have/);
    expect(JSON.parse(permissionRefusal(USER, STAGED, { ...GRANTED, userIntuneRole: false })!.message).Message).toMatch(/^User is not authorized to perform this operation/);
  });

  it("checks only deviceManagement (the app-only grant does not matter to a user, nor the role to an app)", () => {
    expect(permissionRefusal(APP, ["$batch"], { ...GRANTED, applicationPermission: false })).toBeUndefined();
    expect(permissionRefusal(APP, STAGED, { ...GRANTED, userIntuneRole: false, delegatedPermission: false })).toBeUndefined();
    expect(permissionRefusal(USER, STAGED, { ...GRANTED, applicationPermission: false })).toBeUndefined();
  });

  it("managedDevices take DeviceManagementManagedDevices.*: Read.All may list, only ReadWrite.All may delete", () => {
    const MANAGED = ["deviceManagement", "managedDevices", "id-1"];
    const reader = { ...USER, scp: "DeviceManagementServiceConfig.ReadWrite.All DeviceManagementManagedDevices.Read.All" };
    expect(permissionRefusal(reader, MANAGED, GRANTED, "GET")).toBeUndefined();
    expect(JSON.parse(permissionRefusal(reader, MANAGED, GRANTED, "DELETE")!.message).Message).toMatch(/one of the following scopes: DeviceManagementManagedDevices\.ReadWrite\.All - /);
    expect(permissionRefusal(USER, MANAGED, GRANTED, "GET")?.status).toBe(403);
    expect(permissionRefusal({ ...USER, scp: "DeviceManagementManagedDevices.ReadWrite.All" }, MANAGED, GRANTED, "DELETE")).toBeUndefined();
    expect(permissionRefusal(APP, MANAGED, { ...GRANTED, managedDevicesPermission: false }, "DELETE")?.status).toBe(403);
    // The Autopilot permission's app grant does not open managed devices, nor the reverse.
    expect(permissionRefusal(APP, MANAGED, { ...GRANTED, applicationPermission: false }, "DELETE")).toBeUndefined();
    expect(permissionRefusal(APP, STAGED, { ...GRANTED, managedDevicesPermission: false }, "POST")).toBeUndefined();
  });
});
