import type { DeviceImportStatus, UploadStatus } from "../graph/resources.js";
import type { FaultKind } from "./faults.js";

/** One injected fault, so a test can tell which request was hit and whether it was applied anyway. */
export interface FaultRecord {
  readonly kind: FaultKind;
  readonly method: string;
  readonly path: string;
  readonly requestId: string;
  readonly clientRequestId: string;
  /** Whether the request was applied before the failure (always false for 503). */
  readonly tookEffect: boolean;
  /** The status the request would have been answered with, when it was applied. */
  readonly appliedStatus: number | null;
}

export interface EmulatorStats {
  /** Emulated time of the snapshot. */
  readonly now: string;
  readonly requests: {
    readonly total: number;
    /** "METHOD /version/route/template" → status → count; resets count under status "reset". */
    readonly byRoute: Record<string, Record<string, number>>;
    readonly byStatus: Record<string, number>;
  };
  readonly throttled: { readonly total: number; readonly writes: number; readonly requests: number };
  readonly faulted: {
    readonly total: number;
    readonly latency: number;
    readonly byKind: Record<FaultKind, number>;
    readonly resets: { readonly total: number; readonly tookEffect: number; readonly noEffect: number };
    readonly timeouts: { readonly total: number; readonly tookEffect: number; readonly noEffect: number };
    /** The most recent 1,000 faults, oldest first. */
    readonly recent: readonly FaultRecord[];
  };
  readonly devices: {
    /** Staged records held now, and by status. */
    readonly staged: number;
    readonly stagedByStatus: Record<DeviceImportStatus, number>;
    readonly stagedCreated: number;
    readonly stagedDeleted: number;
    /** Registered devices held now. */
    readonly registered: number;
    readonly registeredCreated: number;
    /** Removed (after their linger); deleteRequests counts every DELETE accepted, a repeat on a lingering record too. */
    readonly registeredDeleted: number;
    readonly registeredDeleteRequests: number;
    /** Registered devices whose DELETE was accepted and that are still listed (lingering). */
    readonly registeredDeleting: number;
    /** updateDeviceProperties accepted, and applied once their lag passed. */
    readonly updatesAccepted: number;
    readonly updatesApplied: number;
    /** updateDeviceProperties accepted, per registered device id. */
    readonly updatesAcceptedById: Readonly<Record<string, number>>;
    /** unassignUserFromDevice accepted. */
    readonly userUnassigns: number;
    /** Intune managed devices held now, created (seeded) and deleted. */
    readonly managed: number;
    readonly managedCreated: number;
    readonly managedDeleted: number;
    /** Final outcomes reached by background processing: "complete", "partial", or the error name. */
    readonly outcomes: Record<string, number>;
  };
  readonly uploads: {
    readonly held: number;
    readonly created: number;
    readonly deleted: number;
    readonly byStatus: Record<UploadStatus, number>;
  };
  readonly submissions: {
    /** Device identities accepted for staging (import action, POST, upload members). */
    readonly total: number;
    readonly bySerial: Record<string, number>;
    readonly serialsSubmittedMoreThanOnce: readonly string[];
  };
  readonly auth: {
    readonly tokensIssued: number;
    /** Token requests refused, by Entra error (e.g. "invalid_client"). */
    readonly tokenRequestsRejected: Record<string, number>;
    /** Graph requests answered 401. */
    readonly graphUnauthorized: number;
  };
  readonly sync: {
    readonly triggered: number;
    readonly completed: number;
    readonly failed: number;
    readonly rejectedInProgress: number;
    readonly rejectedTooSoon: number;
  };
  readonly batches: { readonly total: number; readonly subRequests: number };
}

const RECENT_FAULTS = 1000;

const increment = (map: Map<string, number>, key: string, by = 1): void => {
  map.set(key, (map.get(key) ?? 0) + by);
};

/** Counters the server updates as it answers; cheap to update, snapshotted on demand. */
export class StatsCollector {
  private total = 0;
  private readonly byRoute = new Map<string, Map<string, number>>();
  private readonly byStatus = new Map<string, number>();
  readonly throttled = { total: 0, writes: 0, requests: 0 };
  private faultsTotal = 0;
  private latency = 0;
  private readonly faultKinds: Record<FaultKind, number> = { "503": 0, "503-retry-after": 0, "504": 0, reset: 0 };
  private readonly resetEffects = { tookEffect: 0, noEffect: 0 };
  private readonly timeoutEffects = { tookEffect: 0, noEffect: 0 };
  private recentFaults: FaultRecord[] = [];
  readonly outcomes = new Map<string, number>();
  private submissionsTotal = 0;
  /** Serials submitted at least once (a Set: a million may be held), and the count of those submitted again. */
  private readonly submittedSerials = new Set<string>();
  private readonly repeatedSerials = new Map<string, number>();
  readonly auth = { tokensIssued: 0, graphUnauthorized: 0 };
  readonly tokenRejections = new Map<string, number>();
  readonly sync = { triggered: 0, completed: 0, failed: 0, rejectedInProgress: 0, rejectedTooSoon: 0 };
  readonly batches = { total: 0, subRequests: 0 };

  request(route: string, status: number | "reset"): void {
    this.total += 1;
    let statuses = this.byRoute.get(route);
    if (!statuses) this.byRoute.set(route, (statuses = new Map()));
    increment(statuses, String(status));
    increment(this.byStatus, String(status));
  }

  latencyInjected(): void {
    this.latency += 1;
  }

  fault(record: FaultRecord): void {
    this.faultsTotal += 1;
    this.faultKinds[record.kind] += 1;
    const effects = record.kind === "reset" ? this.resetEffects : record.kind === "504" ? this.timeoutEffects : undefined;
    if (effects) effects[record.tookEffect ? "tookEffect" : "noEffect"] += 1;
    this.recentFaults.push(record);
    if (this.recentFaults.length > RECENT_FAULTS * 2) this.recentFaults = this.recentFaults.slice(-RECENT_FAULTS);
  }

  outcome(name: string): void {
    increment(this.outcomes, name);
  }

  submitted(serial: string | null): void {
    this.submissionsTotal += 1;
    if (serial === null) return;
    if (!this.submittedSerials.has(serial)) this.submittedSerials.add(serial);
    else this.repeatedSerials.set(serial, (this.repeatedSerials.get(serial) ?? 1) + 1);
  }

  tokenRejected(error: string): void {
    increment(this.tokenRejections, error);
  }

  snapshot(extra: {
    now: string;
    devices: Omit<EmulatorStats["devices"], "outcomes">;
    uploads: EmulatorStats["uploads"];
  }): EmulatorStats {
    const byRoute: Record<string, Record<string, number>> = {};
    for (const [route, statuses] of this.byRoute) byRoute[route] = Object.fromEntries(statuses);
    return {
      now: extra.now,
      requests: { total: this.total, byRoute, byStatus: Object.fromEntries(this.byStatus) },
      throttled: { ...this.throttled },
      faulted: {
        total: this.faultsTotal,
        latency: this.latency,
        byKind: { ...this.faultKinds },
        resets: { total: this.faultKinds.reset, ...this.resetEffects },
        timeouts: { total: this.faultKinds["504"], ...this.timeoutEffects },
        recent: this.recentFaults.slice(-RECENT_FAULTS),
      },
      devices: { ...extra.devices, outcomes: Object.fromEntries(this.outcomes) },
      uploads: extra.uploads,
      submissions: {
        total: this.submissionsTotal,
        bySerial: Object.fromEntries([...this.submittedSerials].map((serial) => [serial, this.repeatedSerials.get(serial) ?? 1])),
        serialsSubmittedMoreThanOnce: [...this.repeatedSerials.keys()],
      },
      auth: { ...this.auth, tokenRequestsRejected: Object.fromEntries(this.tokenRejections) },
      sync: { ...this.sync },
      batches: { ...this.batches },
    };
  }
}
