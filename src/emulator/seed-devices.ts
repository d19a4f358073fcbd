/**
 * The tenant's registered devices at start and after every reset: those the scenario lists, then `registeredSeed.count`
 * generated from the scenario's seed (the same serials, tags, users and enrollments every time), some of them
 * enrolled in Intune with a managed device record linked by managedDeviceId.
 */
import { seededRandom, type Random } from "../util/random.js";
import type { Scenario } from "./scenario.js";
import type { RegisteredDeviceInput } from "./scenario.js";
import type { RegisteredRecord } from "./registered-record.js";
import type { DeviceStore } from "./store.js";

const SEED_MASK = 0x1b873593;
const DAY_MS = 86_400_000;

/** Manufacturer → models, as the hardware hash reports them. */
const HARDWARE: readonly (readonly [string, readonly string[]])[] = [
  ["Dell Inc.", ["Latitude 5440", "Latitude 7440", "OptiPlex 7010"]],
  ["HP", ["HP EliteBook 840 G10", "HP ProBook 450 G10"]],
  ["LENOVO", ["21HD", "20XW"]],
  ["Microsoft Corporation", ["Surface Laptop 5", "Surface Pro 9"]],
];

const pick = <T>(items: readonly T[], random: Random): T => items[random.between(0, items.length - 1)] as T;

/** The generated devices, one at a time (a tenant of a million devices is never held twice). */
export function* generatedDevices(scenario: Scenario, now: number): Generator<RegisteredDeviceInput> {
  const seed = scenario.tenant.registeredSeed;
  const random = seededRandom(scenario.seed ^ SEED_MASK);
  for (let n = 1; n <= seed.count; n++) {
    const [manufacturer, models] = pick(HARDWARE, random);
    const enrolled = random.next() < seed.enrolledRatio;
    const tagged = random.next() >= seed.untaggedRatio;
    const user = random.next() < seed.assignedUserRatio ? `user${n}@${seed.userDomain}` : "";
    const serialNumber = `${seed.serialPrefix}-${String(n).padStart(6, "0")}`;
    yield {
      serialNumber,
      manufacturer,
      model: pick(models, random),
      groupTag: tagged ? pick(seed.groupTags, random) : "",
      purchaseOrderIdentifier: seed.purchaseOrders.length > 0 ? pick(seed.purchaseOrders, random) : "",
      userPrincipalName: user,
      addressableUserName: user === "" ? "" : `User ${n}`,
      displayName: enrolled ? `PC-${serialNumber}` : "",
      enrollmentState: enrolled ? "enrolled" : "notContacted",
      deploymentProfileAssignmentStatus: enrolled ? "assignedInSync" : "notAssigned",
      ...(enrolled ? { lastContactedDateTime: new Date(now - random.between(0, 30) * DAY_MS).toISOString() } : {}),
      managed: enrolled,
    };
  }
}

/** Enrolls a registered device in Intune: its managed device record, linked both ways. */
export function enroll(store: DeviceStore, record: RegisteredRecord, now: number): void {
  const managed = store.managed.add({
    id: store.newDeviceId(),
    deviceName: record.displayName || `DESKTOP-${record.serialUpper.slice(-7)}`,
    serialNumber: record.serialNumber,
    manufacturer: record.manufacturer,
    model: record.model,
    azureADDeviceId: record.azureAdDeviceId,
    userPrincipalName: record.userPrincipalName,
    enrolledAt: record.lastContactedAt ?? now,
    autopilotId: record.id,
  });
  record.managedDeviceId = managed.id;
  record.enrollmentState = "enrolled";
}

/** Registers the scenario's devices (listed, then generated); those marked `managed` are enrolled. */
export function seedTenant(store: DeviceStore, scenario: Scenario, now: number): void {
  const add = (device: RegisteredDeviceInput): void => {
    const record = store.register(device, now);
    if (device.managed === true) enroll(store, record, now);
  };
  for (const device of scenario.tenant.registeredDevices) add(device);
  for (const device of generatedDevices(scenario, now)) add(device);
}
