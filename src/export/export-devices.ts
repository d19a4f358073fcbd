/**
 * Streams the tenant's windowsAutopilotDeviceIdentities into a report writer, page by page: each page is written (and
 * the writer's backpressure awaited) before the next is asked for, so memory holds one page whatever the tenant's size.
 * Paging guards (a repeated nextLink, a page budget) and throttling (429 and Retry-After) are the Graph client's.
 */
import type { GraphClient } from "../graph/client.js";
import type { ReportWriter } from "../report/writer.js";
import type { Logger } from "../util/logger.js";
import type { ExportedDevice } from "./columns.js";
import { selects, type DeviceSelector } from "./selectors.js";

/** Beta: the only version that shows deploymentProfileAssignmentStatus. No $select: it has answered 500 on this collection. */
export const EXPORT_PATH = "/deviceManagement/windowsAutopilotDeviceIdentities";

export interface ExportCounts {
  /** Devices Graph listed. */
  listed: number;
  /** Devices written (those the selector kept). */
  exported: number;
  pages: number;
}

export interface ExportRun {
  readonly client: GraphClient;
  readonly writer: ReportWriter<ExportedDevice>;
  readonly selector: DeviceSelector | undefined;
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /** Told after each page (progress display). */
  readonly onPage?: (counts: Readonly<ExportCounts>) => void;
}

export async function exportDevices(run: ExportRun): Promise<ExportCounts> {
  const counts: ExportCounts = { listed: 0, exported: 0, pages: 0 };
  for await (const page of run.client.pages<ExportedDevice>(EXPORT_PATH, { version: "beta", signal: run.signal })) {
    counts.pages += 1;
    for (const device of page.value) {
      counts.listed += 1;
      if (!selects(run.selector, device)) continue;
      await run.writer.write(device);
      counts.exported += 1;
    }
    run.logger.debug({ page: counts.pages, listed: counts.listed, exported: counts.exported }, "export page written");
    run.onPage?.(counts);
  }
  return counts;
}
