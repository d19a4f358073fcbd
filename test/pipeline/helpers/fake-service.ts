/**
 * An in-memory stand-in for the staged-records service behind the pipeline's StagedApi port, with a virtual clock,
 * for fast unit tests of submission, reconciliation and polling. End-to-end tests use the real emulator instead.
 */
import { GraphRequestError, OutcomeUnknownError } from "../../../src/graph/errors/index.js";
import type { ImportedDeviceIdentity } from "../../../src/graph/resources.js";
import { ServiceTraits } from "../../../src/graph/service-traits.js";
import type { ListOptions, StagedApi } from "../../../src/pipeline/staged-api.js";
import type { PendingDevice, Upload } from "../../../src/pipeline/types.js";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type StagedRecord = Mutable<ImportedDeviceIdentity> & { stagedAt: number; state: Mutable<ImportedDeviceIdentity["state"]> };

export interface FakeServiceOptions {
  processingMs?: number;
  pageSize?: number;
  importIdFilter?: boolean;
  alreadyRegistered?: string[];
  otherTenant?: string[];
  stuck?: string[];
  partial?: string[];
  /** Hashes rejected with 400; `nameLiteral` says whether the message names the value. */
  poisonHashes?: string[];
  nameLiteral?: boolean;
  /** Outcomes of the next submissions: "appliedThenLost" stages then throws OutcomeUnknownError, "lost" only throws. */
  unknownOutcomes?: Array<"appliedThenLost" | "lost">;
  /** Records from other tools already in the tenant. */
  foreignRecords?: number;
  /** The next listings fail with 503 (as after the client's retries ran out). */
  failingLists?: number;
  /** The same, for the listings after a submission's answer was lost (the reconciliation's first of all). */
  failingListsAfterLostAnswer?: number;
  /** false: records store their own id as importId (a public report of the real service), so `importId eq` finds nothing. */
  importIdKept?: boolean;
  /** Serials staged by an earlier run before this one starts (same serials, other records). */
  preStaged?: string[];
}

const info = { method: "POST", url: "https://graph.test/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/import", clientRequestId: "test", headers: {} };

export class FakeClock {
  time = 1_700_000_000_000;
  now = (): number => this.time;
  sleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
    if (signal?.aborted) throw signal.reason;
    this.time += Math.max(0, ms);
    await new Promise((resolve) => setImmediate(resolve));
  };
}

export class FakeService implements StagedApi {
  readonly api = "import" as const;
  readonly traits = new ServiceTraits();
  requests = 0;
  readonly records = new Map<string, StagedRecord>();
  /** How many times each serial was submitted in a request the service applied. */
  readonly submittedTimes = new Map<string, number>();
  readonly calls: Array<{ kind: "submit" | "list" | "get" | "open"; size?: number; filter?: string }> = [];
  /** Submissions whose answer was lost so far. */
  #answersLost = 0;
  #nextId = 1;
  readonly options: Required<Omit<FakeServiceOptions, "unknownOutcomes">> & { unknownOutcomes: Array<"appliedThenLost" | "lost"> };

  constructor(
    readonly clock: FakeClock,
    options: FakeServiceOptions = {},
  ) {
    this.options = {
      processingMs: 5_000,
      pageSize: 1000,
      importIdFilter: true,
      alreadyRegistered: [],
      otherTenant: [],
      stuck: [],
      partial: [],
      poisonHashes: [],
      nameLiteral: true,
      foreignRecords: 0,
      failingLists: 0,
      failingListsAfterLostAnswer: 0,
      importIdKept: true,
      preStaged: [],
      ...options,
      unknownOutcomes: [...(options.unknownOutcomes ?? [])],
    };
    for (let i = 0; i < this.options.foreignRecords; i++) this.#stage({ serialNumber: `FOREIGN${i}`, hardwareIdentifier: "AA==" }, "other-import");
    for (const serial of this.options.preStaged) this.#stage({ serialNumber: serial, hardwareIdentifier: "AA==" }, "earlier-run");
  }

  async open(_upload: Upload): Promise<void> {
    this.calls.push({ kind: "open" });
  }

  async submit(upload: Upload, devices: readonly PendingDevice[]): Promise<ImportedDeviceIdentity[]> {
    this.requests += 1;
    this.calls.push({ kind: "submit", size: devices.length });
    await Promise.resolve();
    const poison = devices.find((d) => this.options.poisonHashes.includes(d.device.hardwareIdentifier));
    if (poison) {
      const literal = this.options.nameLiteral ? poison.device.hardwareIdentifier : "(value)";
      throw new GraphRequestError(info, {
        status: 400,
        headers: {},
        body: { error: { code: "BadRequest", message: `Cannot convert the literal '${literal}' to the expected type 'Edm.Binary'.` } },
      });
    }
    const fault = this.options.unknownOutcomes.shift();
    if (fault !== undefined) this.#answersLost += 1;
    if (fault === "lost") throw new OutcomeUnknownError(info, "connection reset");
    const staged = devices.map((d) => this.#stage(d.device, upload.id));
    for (const d of devices) this.submittedTimes.set(d.device.serialNumber, (this.submittedTimes.get(d.device.serialNumber) ?? 0) + 1);
    if (fault === "appliedThenLost") throw new OutcomeUnknownError(info, "connection reset");
    return staged.map((r) => this.#view(r));
  }

  async *list(options: ListOptions): AsyncIterable<readonly ImportedDeviceIdentity[]> {
    this.calls.push({ kind: "list", filter: options.filter });
    const failsAfterLoss = this.#answersLost > 0 && this.options.failingListsAfterLostAnswer > 0;
    if (this.options.failingLists > 0 || failsAfterLoss) {
      if (this.options.failingLists > 0) this.options.failingLists -= 1;
      else this.options.failingListsAfterLostAnswer -= 1;
      this.requests += 1;
      throw new GraphRequestError(info, { status: 503, headers: {}, body: { error: { code: "ServiceUnavailable", message: "try later" } } });
    }
    let all = [...this.records.values()];
    if (options.filter) {
      const importId = /^importId eq '(.*)'$/.exec(options.filter)?.[1];
      const contains = /^contains\(serialNumber,'(.*)'\)$/.exec(options.filter)?.[1];
      if (importId !== undefined) {
        if (!this.options.importIdFilter) {
          this.requests += 1;
          throw new GraphRequestError(info, { status: 400, headers: {}, body: { error: { code: "BadRequest", message: "Invalid filter clause" } } });
        }
        all = all.filter((r) => r.importId === importId.replace(/''/g, "'"));
      } else if (contains !== undefined) {
        all = all.filter((r) => r.serialNumber.includes(contains.replace(/''/g, "'")));
      }
    }
    const size = Math.min(options.top, this.options.pageSize);
    for (let start = 0; start === 0 || start < all.length; start += size) {
      this.requests += 1;
      yield all.slice(start, start + size).map((r) => this.#view(r));
    }
  }

  async get(ids: readonly string[]): Promise<Map<string, ImportedDeviceIdentity | null>> {
    this.calls.push({ kind: "get", size: ids.length });
    this.requests += Math.ceil(ids.length / 20);
    return new Map(ids.map((id) => [id, this.records.has(id) ? this.#view(this.records.get(id)!) : null]));
  }

  #stage(device: PendingDevice["device"], importId: string): StagedRecord {
    const id = `staged-${this.#nextId++}`;
    const record: StagedRecord = {
      id,
      serialNumber: device.serialNumber,
      importId: this.options.importIdKept ? importId : id,
      stagedAt: this.clock.now(),
      state: { deviceImportStatus: "unknown", deviceErrorCode: 0, deviceErrorName: null, deviceRegistrationId: null },
    };
    this.records.set(record.id, record);
    return record;
  }

  /** The record as the service shows it now (processing advances with the clock). */
  #view(record: StagedRecord): ImportedDeviceIdentity {
    const o = this.options;
    if (record.state.deviceImportStatus === "unknown" && this.clock.now() >= record.stagedAt + o.processingMs && !o.stuck.includes(record.serialNumber)) {
      const serial = record.serialNumber;
      if (o.partial.includes(serial)) record.state = { ...record.state, deviceImportStatus: "partial" };
      else if (o.alreadyRegistered.includes(serial))
        record.state = { ...record.state, deviceImportStatus: "error", deviceErrorCode: 806, deviceErrorName: "ZtdDeviceAlreadyAssigned" };
      else if (o.otherTenant.includes(serial))
        record.state = { ...record.state, deviceImportStatus: "error", deviceErrorCode: 808, deviceErrorName: "ZtdDeviceAssignedToOtherTenant" };
      else record.state = { ...record.state, deviceImportStatus: "complete", deviceRegistrationId: `reg-${record.id}` };
    }
    return { id: record.id, serialNumber: record.serialNumber, importId: record.importId, state: { ...record.state } };
  }
}
