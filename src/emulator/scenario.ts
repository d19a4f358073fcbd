import { z } from "zod";
import { UsageError } from "../errors.js";
import { DEFAULT_PUBLIC_CLIENT_ID } from "../graph/delegated.js";
import type { registeredDeviceSchema } from "./scenario-devices.js";
import { tenantSection } from "./tenants-scenario.js";
import { profilesSchema } from "./profiles-scenario.js";
import { directoryScenarioSchema } from "./directory-scenario.js";

/**
 * The scenario: every knob of the emulator, validated once at the edge.
 * Defaults model the real service (see ../../fixtures/scenarios/default.json); all emulated durations are in
 * emulated milliseconds, which `clock.speed` compresses.
 */
const rate = z.number().min(0).max(1);
const nonNegativeInt = z.number().int().min(0);
const positiveInt = z.number().int().min(1);
const serialList = z.array(z.string()).default([]);


export const scenarioSchema = z.strictObject({
  /** Seeds the PRNGs behind faults, processing spread and sync failures. */
  seed: z.number().int().default(1),
  tenant: tenantSection.prefault({}),
  clock: z
    .strictObject({
      /** Emulated milliseconds per real millisecond. */
      speed: z.number().positive().max(100_000).default(1),
      /** Emulated start time (ISO 8601); real now when absent. */
      start: z.iso.datetime({ offset: true }).optional(),
    })
    .prefault({}),
  auth: z
    .strictObject({
      /** Emulated seconds a token lives; Entra ID issues 3599. expires_in is reported in real seconds. */
      tokenLifetimeSeconds: positiveInt.default(3599),
      /** Resources accepted in `scope` (with "/.default"); the emulator's own origin is always accepted. */
      acceptedResources: z
        .array(z.string())
        .default(["https://graph.microsoft.com", "00000003-0000-0000-c000-000000000000"]),
      /** Public clients a user may sign in with (device code) besides the tenant's app; default: Microsoft Graph Command Line Tools. */
      publicClientIds: z.array(z.string()).default([DEFAULT_PUBLIC_CLIENT_ID]),
      /** The device-code flow (`/{tenant}/oauth2/v2.0/devicecode`, then the device_code grant). */
      deviceCode: z
        .strictObject({
          /** Emulated ms after the code is issued at which the user approves; null: only POST /_emulator/device-code/approve. */
          approveAfterMs: nonNegativeInt.nullable().default(5_000),
          /** What the user does: approve, or decline (the poll then answers authorization_declined). */
          outcome: z.enum(["approve", "decline"]).default("approve"),
          /** Emulated seconds the code lives (Entra: 900); polls after it answer expired_token. */
          expiresInSeconds: positiveInt.default(900),
          /** Real seconds between polls, as told to the client (Entra: 5). */
          intervalSeconds: positiveInt.default(5),
          /** Who signs in: the token's `upn`. */
          userPrincipalName: z.string().min(1).default("admin@emulator.onmicrosoft.com"),
        })
        .prefault({}),
      /** What the tenant granted; a missing grant makes Graph answer 403 on deviceManagement, as Intune does. */
      grants: z
        .strictObject({
          /** App-only tokens: the application permission DeviceManagementServiceConfig.ReadWrite.All with admin consent. */
          applicationPermission: z.boolean().default(true),
          /** User tokens: the delegated permission consented (false: the token's `scp` lacks it). */
          delegatedPermission: z.boolean().default(true),
          /** User tokens: the signed-in user holds an Intune role that may import Autopilot devices. */
          userIntuneRole: z.boolean().default(true),
          /** App-only tokens: DeviceManagementManagedDevices.ReadWrite.All, needed for deviceManagement/managedDevices. */
          managedDevicesPermission: z.boolean().default(true),
          /** GroupMember.ReadWrite.All (with Device.Read.All): reading devices and groups, and adding group members. */
          groupMemberPermission: z.boolean().default(true),
        })
        .prefault({}),
    })
    .prefault({}),
  limits: z
    .strictObject({
      /** Most device identities in one `import` call (undocumented in Graph; the admin center takes 500 rows). */
      maxImportSize: positiveInt.default(500),
      /** Largest request body accepted; Graph's request limit is 4 MB. */
      maxBodyBytes: positiveInt.default(4 * 1024 * 1024),
      /** Most requests in one JSON batch. */
      maxBatchRequests: positiveInt.default(20),
      /** "digest": keep a digest of each staged hash, not the hash (32 bytes, not ~4 KB); it reads back empty. */
      hashStorage: z.enum(["full", "digest"]).default("full"),
    })
    .prefault({}),
  paging: z
    .strictObject({
      stagedPageSize: positiveInt.default(1000),
      registeredPageSize: positiveInt.default(1000),
      uploadPageSize: positiveInt.default(100),
      /** Largest `$top` honoured; bigger values are clamped. */
      maxTop: positiveInt.default(1000),
    })
    .prefault({}),
  filters: z
    .strictObject({
      /** `$filter=importId eq '…'` on staged records (real support unknown). */
      stagedImportIdEq: z.boolean().default(true),
      /** `$filter=serialNumber eq '…'` on staged records (real support unknown). */
      stagedSerialEq: z.boolean().default(false),
      /** `$filter=serialNumber eq '…'` on registered devices (the real service answers 400). */
      registeredSerialEq: z.boolean().default(false),
    })
    .prefault({}),
  processing: z
    .strictObject({
      /** Emulated ms from staging to the first state change. */
      delayMs: nonNegativeInt.default(3000),
      /** Extra uniform random delay, 0..spreadMs, per record. */
      spreadMs: nonNegativeInt.default(2000),
      /** Whether records pass through `pending` before their final state. */
      pendingPhase: z.boolean().default(false),
      /** Emulated ms spent in `pending` (plus spread) when pendingPhase is on. */
      pendingMs: nonNegativeInt.default(2000),
      /** Emulated ms between `complete` and the device appearing in windowsAutopilotDeviceIdentities. */
      registrationLagMs: nonNegativeInt.default(0),
      /** Emulated ms a registered device stays listed after its DELETE (deletion "can take a few minutes"). */
      deletionLingerMs: nonNegativeInt.default(60_000),
      /** Emulated ms between an accepted updateDeviceProperties and its values showing (unknown for the real service: 0). */
      updateLagMs: nonNegativeInt.default(0),
    })
    .prefault({}),
  outcomes: z
    .strictObject({
      /** Serials registered in another tenant: end `error` 808. */
      otherTenantSerials: serialList,
      /** Serials whose hash the service rejects: end `error` 802. */
      corruptHashSerials: serialList,
      /** Hash values the service rejects: end `error` 802. */
      corruptHashes: serialList,
      /** Serials that end `partial` (not registered, deviceErrorCode 0). */
      partialSerials: serialList,
      /** Serials that are never processed: stay `unknown` forever. */
      stuckSerials: serialList,
      /** deviceErrorCode given with ZtdDeviceDuplicated (undocumented: clients must key on status and name). */
      duplicatedErrorCode: z.number().int().default(0),
    })
    .prefault({}),
  sync: z
    .strictObject({
      /** Emulated ms a sync runs before syncStatus becomes completed (or failed). */
      durationMs: nonNegativeInt.default(60_000),
      /** Emulated ms after a manual trigger during which another one gets 429. */
      minIntervalMs: nonNegativeInt.default(600_000),
      /** Whether that 429 carries Retry-After (unknown for the real service). */
      retryAfterOn429: z.boolean().default(false),
      /** Chance a sync ends `failed` (lastSyncDateTime then does not move). */
      failureRate: rate.default(0),
    })
    .prefault({}),
  throttling: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** Emulated seconds over which the buckets refill completely. */
      windowSeconds: z.number().positive().default(20),
      /** POST/PATCH/DELETE per window per app per tenant (Intune: 100). */
      writesPerWindow: positiveInt.default(100),
      /** Any request per window per app per tenant (Intune: 1,000). */
      requestsPerWindow: positiveInt.default(1000),
    })
    .prefault({}),
  /** Answers to the open questions about the real service (docs/autopilot-graph.md §7); defaults are the benign answer. */
  service: z
    .strictObject({
      /** false: a staged record reads back with importId = productKey = its own id and an empty hash (a 2023 report). */
      importIdKept: z.boolean().default(true),
      /** Collections whose `$select` (list and get by id) answers 500 InternalServerError, as reported since 2020. */
      selectFailsOn: z.array(z.enum(["staged", "registered"])).default([]),
      /** Outer status of a $batch in which any item answered 429: 200 (batching guide) or 424 (throttling guide). */
      batchThrottledStatus: z.union([z.literal(200), z.literal(424)]).default(200),
      /** Whether $batch responses come back in a seeded shuffled order (the batching guide allows any order). */
      batchShuffle: z.boolean().default(false),
      /** How a throttling 429 states its wait: whole seconds, three decimals, no header, or a seeded mix of the last two. */
      retryAfter: z.enum(["seconds", "fractional", "none", "mixed"]).default("seconds"),
      /** Whether `contains(serialNumber,'…')` with a hyphen in the value answers 400 (SDK issue 2023, a service issue). */
      hyphenContains400: z.boolean().default(false),
      /** Whether request bodies may carry undeclared properties (ignored) instead of the OData reader's 400. */
      acceptUnknownProperties: z.boolean().default(false),
      /**
       * What updateDeviceProperties does with `userPrincipalName: ""`: clears the assigned user, or accepts it (204)
       * and changes nothing; the metadata's own way to remove a user is the unassignUserFromDevice action.
       */
      emptyUserInUpdate: z.enum(["clears", "ignored"]).default("clears"),
      /** After this many pages of a listing, every nextLink repeats the link just followed (a 2020 bug); 0 = never. */
      repeatNextLinkAfterPages: nonNegativeInt.default(0),
    })
    .prefault({}),
  faults: z
    .strictObject({
      /** Added latency (real ms) on a share of Graph requests. */
      latency: z
        .strictObject({ rate: rate.default(0), minMs: nonNegativeInt.default(0), maxMs: nonNegativeInt.default(0) })
        .prefault({}),
      /** 503 without Retry-After; never takes effect. */
      status503: z.strictObject({ rate: rate.default(0) }).prefault({}),
      /** 503 with Retry-After (real seconds); never takes effect. */
      status503RetryAfter: z
        .strictObject({ rate: rate.default(0), retryAfterSeconds: nonNegativeInt.default(2) })
        .prefault({}),
      /** 504; `tookEffectRatio` of them are answered after the request was applied. */
      status504: z.strictObject({ rate: rate.default(0), tookEffectRatio: rate.default(0) }).prefault({}),
      /** Connection reset after the body was read; `tookEffectRatio` of them after the request was applied. */
      reset: z.strictObject({ rate: rate.default(0), tookEffectRatio: rate.default(0.5) }).prefault({}),
      /** Whether the token endpoint also suffers faults. */
      includeTokenEndpoint: z.boolean().default(false),
      /** The next `requests` token requests fail with `kind` (set again to start another outage); 503-retry-after waits status503RetryAfter.retryAfterSeconds. */
      tokenOutage: z.strictObject({ requests: nonNegativeInt.default(0), kind: z.enum(["503", "503-retry-after", "reset"]).default("503") }).prefault({}),
    })
    .prefault({}),
  profiles: profilesSchema,
  /** Entra ID: a device object per registered device, and groups (static, or dynamic with a rule) for --add-to-group. */
  directory: directoryScenarioSchema,
  /** More tenants (tenants.ts): each its own app, data, throttling and token endpoint, on one clock; the other sections apply to each. */
  tenants: z.array(tenantSection).default([]),
});

export type Scenario = z.output<typeof scenarioSchema>;
/** A scenario as written in a file: every field optional. */
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type RegisteredDeviceInput = z.input<typeof registeredDeviceSchema>;

/** Thrown when a scenario does not validate; `message` lists every problem with its path (exit code 2 in the CLI). */
export class ScenarioError extends UsageError {}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(root)"}: ${issue.message}`)
    .join("; ");
}

/** Validates a scenario and fills every default. */
export function parseScenario(input: unknown): Scenario {
  const result = scenarioSchema.safeParse(input ?? {});
  if (!result.success) throw new ScenarioError(`invalid scenario: ${describeIssues(result.error)}`);
  const faults = result.data.faults;
  const total = faults.status503.rate + faults.status503RetryAfter.rate + faults.status504.rate + faults.reset.rate;
  if (total > 1) throw new ScenarioError(`invalid scenario: faults: the 503, 503RetryAfter, 504 and reset rates add up to ${total} (> 1)`);
  if (faults.latency.maxMs < faults.latency.minMs) throw new ScenarioError("invalid scenario: faults.latency: maxMs is below minMs");
  const ids = [result.data.tenant, ...result.data.tenants].flatMap((tenant) => (tenant.tenantId ? [tenant.tenantId.toLowerCase()] : []));
  if (new Set(ids).size !== ids.length) throw new ScenarioError("invalid scenario: tenants: two tenants share a tenantId");
  return result.data;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** Deep-merges a partial scenario over a full one (arrays are replaced), then validates the result. */
export function mergeScenario(base: Scenario, patch: unknown): Scenario {
  const merge = (a: unknown, b: unknown): unknown => {
    if (!isPlainObject(a) || !isPlainObject(b)) return b === undefined ? a : b;
    const out: Record<string, unknown> = { ...a };
    for (const [key, value] of Object.entries(b)) out[key] = merge(a[key], value);
    return out;
  };
  return parseScenario(merge(base, patch));
}
