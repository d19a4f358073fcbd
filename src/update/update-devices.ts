/**
 * The `update` run: items in chunks (lookups JSON-batched as rows stream in), what differs per device, the writes
 * journaled (intents durable before they are sent, outcomes after) and paced, and one report row per item, in order.
 */
import type { OpJournal, OpOutcome } from "../devices/op-journal.js";
import type { GraphClient } from "../graph/client.js";
import type { ReportWriter } from "../report/writer.js";
import { describeChanges, fieldChanges, type FieldChange } from "./changes.js";
import { findIds, findSerials, type Found } from "./find-devices.js";
import { emptyCounts, type UpdateCounts, type UpdateReportRow, type UpdateStatus } from "./report.js";
import { sendUpdates, type WriteRuntime } from "./send-updates.js";
import { currentOf, type DeviceItem, type UpdateItem } from "./update-items.js";
import type { GroupsRequest } from "../groups/add-to-groups.js";
import { addUpdatedRowsToGroups } from "../groups/update-rows.js";

/** Rows looked up together: 5 JSON batches of 20 serials. */
export const LOOKUP_CHUNK = 100;

export interface UpdateRun extends WriteRuntime {
  readonly client: GraphClient;
  /** undefined for a dry run: nothing is journaled and nothing written. */
  readonly journal: OpJournal | undefined;
  readonly report: ReportWriter<UpdateReportRow>;
  /** A dry run's plan, told per device that would change. */
  readonly onPlan?: (row: UpdateReportRow, changes: readonly FieldChange[]) => void;
  readonly onProgress?: (counts: Readonly<UpdateCounts>) => void;
  /** --add-to-group: each chunk's devices found in the tenant go into these groups before its rows are written. */
  readonly addToGroups?: GroupsRequest;
}

export async function updateDevices(run: UpdateRun, items: AsyncIterable<UpdateItem> | Iterable<UpdateItem>): Promise<UpdateCounts> {
  const counts = emptyCounts();
  const inFlight = new Set((run.journal?.inFlight() ?? []).map((intent) => intent.key));
  let chunk: UpdateItem[] = [];
  const flush = async (): Promise<void> => {
    const settled = await settleChunk(run, chunk, inFlight);
    const rows = run.addToGroups ? await addUpdatedRowsToGroups(run.client, run.addToGroups, settled, run) : settled;
    chunk = [];
    for (const row of rows) {
      counts[row.status] += 1;
      await run.report.write(row);
    }
    run.onProgress?.(counts);
  };
  for await (const item of items) {
    chunk.push(item);
    if (chunk.length >= LOOKUP_CHUNK) await flush();
  }
  if (chunk.length > 0) await flush();
  return counts;
}

const rowOf = (item: DeviceItem, status: UpdateStatus, message: string, deviceId = "", changes = ""): UpdateReportRow => ({
  file: item.file, line: item.line, serialNumber: item.serialNumber, status, deviceId, changes, message,
});

/** Every item's report row: the refused as they are, those with an earlier outcome from the journal, the rest settled now. */
async function settleChunk(run: UpdateRun, chunk: readonly UpdateItem[], inFlight: ReadonlySet<string>): Promise<UpdateReportRow[]> {
  const rows = new Array<UpdateReportRow>(chunk.length);
  const open: number[] = [];
  chunk.forEach((item, index) => {
    if (item.kind === "refused") rows[index] = item.row;
    else {
      const earlier = run.journal?.outcomeOf(item.key);
      if (earlier) rows[index] = rowOf(item, earlier.status as UpdateStatus, `${earlier.message} (recorded by an earlier attempt)`, earlier.deviceId ?? "");
      else open.push(index);
    }
  });
  const found = await findAll(run, open.map((index) => chunk[index] as DeviceItem));
  const updates: Array<{ index: number; deviceId: string; changes: FieldChange[] }> = [];
  const outcomes: Array<{ key: string; outcome: OpOutcome }> = [];
  const settle = (index: number, row: UpdateReportRow, journaled: boolean): void => {
    rows[index] = row;
    const key = (chunk[index] as DeviceItem).key;
    if (journaled) outcomes.push({ key, outcome: { status: row.status, deviceId: row.deviceId || undefined, message: row.message } });
  };
  open.forEach((index, i) => {
    const item = chunk[index] as DeviceItem;
    const result = found[i]!;
    // A failed lookup is not journaled: nothing was sent, so the next run simply looks again.
    if (result.kind !== "found") return settle(index, rowOf(item, result.kind, result.message), result.kind !== "failed");
    const device = result.device;
    const named = { ...item, serialNumber: item.serialNumber || device.serialNumber };
    const changes = fieldChanges(item.wanted, currentOf(device).values);
    if (changes.length === 0) {
      // An earlier attempt sent this update and stopped before its answer: the device now shows it.
      if (inFlight.has(item.key)) return settle(index, rowOf(named, "updated", "Updated (sent by an earlier attempt; the device now shows the values).", device.id), true);
      return settle(index, rowOf(named, "unchanged", "Already as wanted: nothing to change.", device.id), true);
    }
    if (!run.journal) {
      const row = rowOf(named, "would_update", `Would update ${describeChanges(changes)}.`, device.id, describeChanges(changes));
      run.onPlan?.(row, changes);
      return settle(index, row, false);
    }
    // In flight from an earlier attempt but still showing old values: that write may be applied yet (the service
    // applies updates after a lag, processing.updateLagMs in the emulator), or may never have arrived. Sending the
    // identical values again is harmless either way, while skipping could leave the device unchanged for good.
    rows[index] = rowOf(named, "updated", "", device.id, describeChanges(changes));
    updates.push({ index, deviceId: device.id, changes });
  });
  if (outcomes.length > 0) run.journal?.record(outcomes.splice(0));
  if (updates.length === 0) return rows;
  const journal = run.journal!;
  const keyOf = (i: number): string => (chunk[updates[i]!.index] as DeviceItem).key;
  await sendUpdates(run, updates, {
    // Durable before the batch goes: a run killed now finds these in flight and checks them first.
    sending: (batch) => journal.intend(batch.map((i) => ({ key: keyOf(i), deviceId: updates[i]!.deviceId, action: "update" }))),
    settled: (results) => {
      for (const [i, result] of results) {
        const index = updates[i]!.index;
        const planned = rows[index]!;
        if (result.ok) settle(index, { ...planned, message: `Updated ${planned.changes}.` }, true);
        // Not journaled as an outcome: the intent stays in flight, so the next run looks the device up and tries again.
        else settle(index, { ...planned, status: "failed", message: result.message }, false);
      }
      journal.record(outcomes.splice(0));
    },
  });
  return rows;
}

/** Current values for the open items: a --where run's come with the listing; rechecks by id; file rows by serial. */
async function findAll(run: UpdateRun, items: readonly DeviceItem[]): Promise<Found[]> {
  const found = new Array<Found>(items.length);
  const bySerial: number[] = [];
  const byId: number[] = [];
  items.forEach((item, i) => {
    if (item.current) found[i] = { kind: "found", device: { id: item.current.id, serialNumber: item.serialNumber, ...item.current.values } };
    else (item.recheck ? byId : bySerial).push(i);
  });
  const serials = await findSerials(run.client, bySerial.map((i) => items[i]!.serialNumber), run.signal);
  bySerial.forEach((i, n) => (found[i] = serials[n]!));
  const ids = await findIds(run.client, byId.map((i) => items[i]!.key), run.signal);
  byId.forEach((i, n) => (found[i] = ids[n]!));
  return found;
}
