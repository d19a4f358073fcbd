import { randomBytes, randomUUID } from "node:crypto";
import type { AutopilotDeviceIdentity, DeviceImportStatus, ImportedDeviceIdentity, UploadStatus } from "../graph/resources.js";
import type { Identity } from "./auth/issuer.js";
import { DeviceFlow } from "./auth/device-flow.js";
import { DirectoryState } from "./directory.js";
import { TokenStore } from "./auth/token-store.js";
import { EmulatorClock } from "./clock.js";
import type { EmulatorState } from "./graph-call.js";
import { flatUuid } from "./ids.js";
import { ProcessingWorker } from "./processing.js";
import { seededRandom, type Random } from "../util/random.js";
import { registeredToGraph, stagedView, iso } from "./representation.js";
import { mergeScenario, parseScenario, type RegisteredDeviceInput, type Scenario } from "./scenario.js";
import { AutopilotSettingsState } from "./settings.js";
import { enroll, seedTenant } from "./seed-devices.js";
import { StatsCollector, type EmulatorStats } from "./stats.js";
import { DeviceStore, type StagedRecord } from "./store.js";
import { Throttler } from "./throttle.js";
import { tenantScenario } from "./tenants.js";

const QUIRK_SEED_MASK = 0x2545f491;
const FINAL: ReadonlySet<DeviceImportStatus> = new Set(["complete", "error", "partial"]);

/** A client secret shaped like the ones Entra ID issues (40 characters with "8Q~"). */
const newSecret = (): string => `${randomBytes(3).toString("base64url").slice(0, 3)}8Q~${randomBytes(30).toString("base64url").slice(0, 34)}`;

/**
 * The emulated tenant: data, background services, identity and counters, without any networking.
 * The server (server.ts) feeds it requests; the handle (index.ts) exposes it to tests.
 */
export class EmulatorCore implements EmulatorState {
  readonly clock: EmulatorClock;
  readonly store = new DeviceStore(flatUuid);
  readonly worker: ProcessingWorker;
  readonly settings: AutopilotSettingsState;
  readonly throttler: Throttler;
  readonly tokens = new TokenStore();
  /** Device-code sign-ins in flight and users' refresh tokens. */
  readonly deviceFlow = new DeviceFlow();
  /** Entra ID's device objects (derived from the registered devices) and groups. */
  readonly directory: DirectoryState;
  origin = "https://127.0.0.1";
  onGraphRequest: EmulatorState["onGraphRequest"];
  identity: Identity;
  private current: Scenario;
  private collector = new StatsCollector();
  private processRandom: Random;
  faultRandom: Random;
  /** Token requests the current outage (scenario faults.tokenOutage) still fails. */
  tokenOutageLeft: number;
  // Its own stream, so turning a service quirk on does not shift the fault and processing sequences.
  private quirkRandom: Random;
  /** The scenario's `tenants`, each a core of its own on this clock (the first tenant only; empty for the others). */
  readonly others: readonly EmulatorCore[];
  /** Every other tenant of the emulator: a serial registered (or still lingering) in one ends 808 here. */
  private peers: readonly EmulatorCore[] = [];
  private readonly ownsClock: boolean;

  /** `shared.clock`: an extra tenant runs on the first tenant's clock (tenants.ts). */
  constructor(scenario: Scenario, shared?: { readonly clock: EmulatorClock }) {
    this.current = scenario;
    this.identity = {
      tenantId: scenario.tenant.tenantId ?? randomUUID(),
      clientId: scenario.tenant.clientId ?? randomUUID(),
      clientSecret: scenario.tenant.clientSecret ?? newSecret(),
    };
    this.ownsClock = shared === undefined;
    this.clock = shared?.clock ?? new EmulatorClock({ speed: scenario.clock.speed, start: scenario.clock.start ? Date.parse(scenario.clock.start) : undefined });
    this.processRandom = seededRandom(scenario.seed);
    this.faultRandom = seededRandom(scenario.seed ^ 0x5bd1e995);
    this.tokenOutageLeft = scenario.faults.tokenOutage.requests;
    this.quirkRandom = seededRandom(scenario.seed ^ QUIRK_SEED_MASK);
    this.throttler = new Throttler(scenario.throttling);
    this.worker = new ProcessingWorker(this.store, this.clock, () => this.processRandom, () => this.current, () => this.collector, {
      settled: (record) => this.uploadMemberSettled(record),
      assignedElsewhere: (serial) => this.peers.some((peer) => peer.store.isSerialAssigned(serial)),
    });
    this.settings = new AutopilotSettingsState(randomUUID(), this.clock, () => this.processRandom, () => this.current, () => this.collector);
    this.directory = new DirectoryState(this.store, () => this.clock.now(), () => this.current);
    this.seedTenant();
    this.others = scenario.tenants.map((_, index) => new EmulatorCore(tenantScenario(scenario, index), { clock: this.clock }));
    const all = this.tenants();
    for (const tenant of all) tenant.peers = all.filter((other) => other !== tenant);
  }

  /** This tenant first, then the scenario's other tenants. */
  tenants(): [EmulatorCore, ...EmulatorCore[]] {
    return [this, ...this.others];
  }

  scenario(): Scenario {
    return this.current;
  }

  stats(): StatsCollector {
    return this.collector;
  }

  serviceRandom(): Random {
    return this.quirkRandom;
  }

  /** Applies a partial scenario over the current one; returns the validated result. */
  setScenario(patch: unknown): Scenario {
    const next = mergeScenario(this.current, patch);
    if (next.clock.speed !== this.current.clock.speed) this.clock.setSpeed(next.clock.speed);
    if (next.seed !== this.current.seed) {
      this.processRandom = seededRandom(next.seed);
      this.faultRandom = seededRandom(next.seed ^ 0x5bd1e995);
      this.quirkRandom = seededRandom(next.seed ^ QUIRK_SEED_MASK);
    }
    this.throttler.configure(next.throttling);
    const outage = (patch as { faults?: { tokenOutage?: unknown } } | undefined)?.faults?.tokenOutage;
    if (outage !== undefined) this.tokenOutageLeft = next.faults.tokenOutage.requests;
    this.identity = {
      tenantId: next.tenant.tenantId ?? this.identity.tenantId,
      clientId: next.tenant.clientId ?? this.identity.clientId,
      clientSecret: next.tenant.clientSecret ?? this.identity.clientSecret,
    };
    this.current = next;
    // New groups in the patch take effect now (members named by serial among the devices registered so far).
    if ((patch as { directory?: { groups?: unknown } } | undefined)?.directory?.groups !== undefined) this.directory.seed();
    // The tenants are fixed at start: a patch reaches the ones there are, with every section but their own `tenant`.
    this.others.forEach((other, index) => {
      if (index < next.tenants.length) other.setScenario(tenantScenario(next, index));
    });
    return next;
  }

  /** Empties the tenant and the counters; keeps identity, issued tokens, scenario and the clock's time. */
  reset(): void {
    this.worker.clear();
    if (this.ownsClock) this.clock.clearTasks();
    this.store.clear();
    this.settings.reset();
    this.throttler.clear();
    this.collector = new StatsCollector();
    this.processRandom = seededRandom(this.current.seed);
    this.faultRandom = seededRandom(this.current.seed ^ 0x5bd1e995);
    this.quirkRandom = seededRandom(this.current.seed ^ QUIRK_SEED_MASK);
    this.seedTenant();
    // The clock's tasks are gone for every tenant: each one starts over with it.
    for (const other of this.others) other.reset();
  }

  registerDevices(devices: readonly RegisteredDeviceInput[]): AutopilotDeviceIdentity[] {
    const parsed = parseScenario({ tenant: { registeredDevices: devices } }).tenant.registeredDevices;
    return parsed.map((device) => {
      const record = this.store.register(device, this.clock.now());
      if (device.managed === true) enroll(this.store, record, this.clock.now());
      return registeredToGraph(record);
    });
  }

  /** A valid token without the OAuth round trip (for tests of other layers). */
  issueToken(): { token: string; expiresOn: Date } {
    const now = this.clock.now();
    const expiresAt = now + this.current.auth.tokenLifetimeSeconds * 1000;
    const token = this.tokens.issue({ tenantId: this.identity.tenantId, clientId: this.identity.clientId }, expiresAt, now);
    this.collector.auth.tokensIssued += 1;
    return { token, expiresOn: new Date(Date.now() + this.clock.toRealMs(expiresAt - now)) };
  }

  /** As Graph shows them (so `service.importIdKept` false hides the sent importId here too). */
  devices(): { staged: ImportedDeviceIdentity[]; registered: AutopilotDeviceIdentity[] } {
    return {
      staged: [...this.store.stagedOrder].map(stagedView(this.current)),
      registered: [...this.store.registeredOrder].map(registeredToGraph),
    };
  }

  uploadMemberSettled(record: StagedRecord): void {
    const upload = record.uploadId === null ? undefined : this.store.uploads.get(record.uploadId);
    if (!upload || upload.status !== "pending") return;
    // A member deleted after it settled was counted when it settled.
    if (record.deleted && FINAL.has(record.status)) return;
    upload.outstanding -= 1;
    if (record.status === "error") upload.failed += 1;
    if (upload.outstanding <= 0) upload.status = upload.failed > 0 ? "error" : "complete";
  }

  snapshot(): EmulatorStats {
    const stagedByStatus: Record<DeviceImportStatus, number> = { unknown: 0, pending: 0, partial: 0, complete: 0, error: 0 };
    for (const record of this.store.staged.values()) stagedByStatus[record.status] += 1;
    const uploadsByStatus: Record<UploadStatus, number> = { noUpload: 0, pending: 0, complete: 0, error: 0 };
    for (const upload of this.store.uploads.values()) uploadsByStatus[upload.status] += 1;
    const { counters } = this.store;
    return this.collector.snapshot({
      now: iso(this.clock.now()),
      devices: {
        staged: this.store.staged.size,
        stagedByStatus,
        stagedCreated: counters.stagedCreated,
        stagedDeleted: counters.stagedDeleted,
        registered: this.store.registered.size,
        registeredCreated: counters.registeredCreated,
        registeredDeleted: counters.registeredDeleted,
        registeredDeleteRequests: counters.registeredDeleteRequests,
        registeredDeleting: [...this.store.registered.values()].filter((record) => record.deletionRequestedAt !== null).length,
        updatesAccepted: counters.updatesAccepted,
        updatesApplied: counters.updatesApplied,
        updatesAcceptedById: Object.fromEntries(this.store.updatesById),
        userUnassigns: counters.userUnassigns,
        managed: this.store.managed.byId.size,
        managedCreated: this.store.managed.counters.created,
        managedDeleted: this.store.managed.counters.deleted,
      },
      uploads: { held: this.store.uploads.size, created: counters.uploadsCreated, deleted: counters.uploadsDeleted, byStatus: uploadsByStatus },
    });
  }

  close(): void {
    this.worker.clear();
    for (const other of this.others) other.close();
    if (this.ownsClock) this.clock.close();
  }

  private seedTenant(): void {
    seedTenant(this.store, this.current, this.clock.now());
    this.directory.seed();
  }
}
