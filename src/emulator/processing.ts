import type { EmulatorClock, ScheduledTask } from "./clock.js";
import { MinHeap } from "./heap.js";
import type { Random } from "../util/random.js";
import type { Scenario } from "./scenario.js";
import { keepHash } from "./hash-storage.js";
import type { StatsCollector } from "./stats.js";
import { serialKey, type DeviceStore, type StagedRecord } from "./store.js";

type Step = "process" | "finish" | "register";

interface QueueEntry {
  readonly due: number;
  readonly order: number;
  readonly step: Step;
  readonly record: StagedRecord;
}

/** Scenario lists as sets, rebuilt when the scenario changes. */
interface OutcomeRules {
  readonly otherTenant: Set<string>;
  readonly corruptSerials: Set<string>;
  /** Each listed hash both as sent and as its digest, so records kept in either mode (hash-storage.ts) match. */
  readonly corruptHashes: Set<string>;
  readonly partial: Set<string>;
  readonly stuck: Set<string>;
}

/** Most records handled in one turn of the event loop, so a 100k backlog never stalls the server. */
const BATCH = 2000;

export interface ProcessingHooks {
  /** A record reached a final state (for upload bookkeeping). */
  settled(record: StagedRecord): void;
  /** Whether another tenant of the emulator holds the serial (registered, or deleted but still lingering): 808. */
  assignedElsewhere?(serial: string): boolean;
}

/**
 * The background service that takes staged records from `unknown` to a final state.
 * A time-ordered heap (not a scan of all records) holds what is due; one clock task wakes it for the earliest entry.
 */
export class ProcessingWorker {
  private readonly queue = new MinHeap<QueueEntry>((a, b) => a.due < b.due || (a.due === b.due && a.order < b.order));
  private order = 0;
  private wake: ScheduledTask | undefined;
  private wakeAt = Infinity;
  private resume: NodeJS.Immediate | undefined;
  private rules: OutcomeRules;
  private rulesFor: Scenario;

  constructor(
    private readonly store: DeviceStore,
    private readonly clock: EmulatorClock,
    private readonly random: () => Random,
    private readonly scenario: () => Scenario,
    private readonly stats: () => StatsCollector,
    private readonly hooks: ProcessingHooks,
  ) {
    this.rulesFor = scenario();
    this.rules = buildRules(this.rulesFor);
  }

  get backlog(): number {
    return this.queue.size;
  }

  /** Queues a freshly staged (or freshly imported upload) record for processing. */
  enqueue(record: StagedRecord): void {
    const { delayMs, spreadMs } = this.scenario().processing;
    this.push(record, "process", this.clock.now() + delayMs + this.random().between(0, spreadMs));
  }

  clear(): void {
    this.queue.clear();
    if (this.resume) clearImmediate(this.resume);
    this.resume = undefined;
    this.wake?.cancel();
    this.wake = undefined;
    this.wakeAt = Infinity;
  }

  private push(record: StagedRecord, step: Step, due: number): void {
    this.queue.push({ due, order: this.order++, step, record });
    this.arm();
  }

  private arm(): void {
    const next = this.queue.peek();
    if (!next || next.due >= this.wakeAt) return;
    this.wake?.cancel();
    this.wakeAt = next.due;
    this.wake = this.clock.scheduleAt(next.due, () => {
      this.wake = undefined;
      this.wakeAt = Infinity;
      this.run();
    });
  }

  private run(): void {
    const now = this.clock.now();
    let handled = 0;
    for (let entry = this.queue.peek(); entry && entry.due <= now; entry = this.queue.peek()) {
      if (handled === BATCH && !this.clock.isAdvancing) {
        // Let requests in between; the rest of the backlog continues on the next turn.
        this.resume ??= setImmediate(() => {
          this.resume = undefined;
          this.run();
        });
        return;
      }
      this.queue.pop();
      handled += 1;
      this.step(entry);
    }
    this.arm();
  }

  private step(entry: QueueEntry): void {
    const { record } = entry;
    if (entry.step === "register") {
      // The device appears in windowsAutopilotDeviceIdentities even if the staged record was deleted meanwhile.
      const registered = this.store.register(
        {
          id: record.registrationId ?? undefined,
          serialNumber: record.serialNumber ?? "",
          productKey: record.productKey ?? undefined,
          groupTag: record.groupTag ?? undefined,
          userPrincipalName: record.assignedUserPrincipalName ?? undefined,
        },
        this.clock.now(),
      );
      registered.profileTimeline = true;
      record.registrationId = registered.id;
      return;
    }
    if (record.deleted) return;
    const scenario = this.scenario();
    if (scenario !== this.rulesFor) {
      this.rulesFor = scenario;
      this.rules = buildRules(scenario);
    }
    const serial = record.serialNumber ?? "";
    if (this.rules.stuck.has(serialKey(serial))) return;
    if (entry.step === "process" && scenario.processing.pendingPhase) {
      record.status = "pending";
      const { pendingMs, spreadMs } = scenario.processing;
      this.push(record, "finish", this.clock.now() + pendingMs + this.random().between(0, spreadMs));
      return;
    }
    this.settle(record, serial, scenario);
  }

  private settle(record: StagedRecord, serial: string, scenario: Scenario): void {
    const key = serialKey(serial);
    const hash = record.hash ?? "";
    if (serial.trim() === "" && (record.productKey ?? "").trim() === "") {
      this.fail(record, 803, "MissingZtdSerialNumberAndProductKey");
    } else if (hash === "" || this.rules.corruptHashes.has(hash) || this.rules.corruptSerials.has(key)) {
      this.fail(record, 802, "InvalidZtdHardwareHash");
    } else if (record.duplicateInSubmission) {
      this.fail(record, scenario.outcomes.duplicatedErrorCode, "ZtdDeviceDuplicated");
    } else if (this.rules.otherTenant.has(key) || this.hooks.assignedElsewhere?.(serial) === true) {
      this.fail(record, 808, "ZtdDeviceAssignedToOtherTenant");
    } else if (this.store.isSerialAssigned(serial)) {
      this.fail(record, 806, "ZtdDeviceAlreadyAssigned");
    } else if (this.rules.partial.has(key)) {
      record.status = "partial";
      this.stats().outcome("partial");
    } else {
      this.complete(record, scenario);
    }
    this.hooks.settled(record);
  }

  private complete(record: StagedRecord, scenario: Scenario): void {
    record.status = "complete";
    this.stats().outcome("complete");
    const lag = scenario.processing.registrationLagMs;
    if (lag > 0) {
      // Known now (the staged record names it), visible in windowsAutopilotDeviceIdentities only after the lag.
      record.registrationId = this.store.newDeviceId();
      this.store.reserveSerial(record.serialNumber ?? "");
      this.push(record, "register", this.clock.now() + lag);
      return;
    }
    this.step({ due: 0, order: 0, step: "register", record });
  }

  private fail(record: StagedRecord, code: number, name: string): void {
    record.status = "error";
    record.errorCode = code;
    record.errorName = name;
    this.stats().outcome(name);
  }
}

function buildRules(scenario: Scenario): OutcomeRules {
  const keys = (serials: readonly string[]): Set<string> => new Set(serials.map(serialKey));
  const { outcomes } = scenario;
  return {
    otherTenant: keys(outcomes.otherTenantSerials),
    corruptSerials: keys(outcomes.corruptHashSerials),
    corruptHashes: new Set(outcomes.corruptHashes.flatMap((hash) => [hash, keepHash(hash, "digest") ?? hash])),
    partial: keys(outcomes.partialSerials),
    stuck: keys(outcomes.stuckSerials),
  };
}
