/** windowsAutopilotSettings (beta singleton): read it, and show it to a person. */
import { ServiceError } from "../errors.js";
import type { GraphClient } from "../graph/client.js";
import type { AutopilotSettings } from "../graph/resources.js";
import { parseGraphTime, SYNC_INTERVAL_MS } from "./sync-window.js";

export const SETTINGS_PATH = "/deviceManagement/windowsAutopilotSettings";

/** GET /beta/deviceManagement/windowsAutopilotSettings. */
export async function readAutopilotSettings(client: GraphClient, signal?: AbortSignal): Promise<AutopilotSettings> {
  const { body } = await client.request<AutopilotSettings>({ method: "GET", path: SETTINGS_PATH, version: "beta", signal });
  if (typeof body !== "object" || body === null || typeof body.syncStatus !== "string") {
    throw new ServiceError("windowsAutopilotSettings answered without a syncStatus");
  }
  return body;
}

/** When the next manual sync is allowed by the 10-minute rule; undefined when the tenant never synced manually. */
export function nextManualSyncAllowedAt(settings: AutopilotSettings): number | undefined {
  const last = parseGraphTime(settings.lastManualSyncTriggerDateTime);
  return last === undefined ? undefined : last + SYNC_INTERVAL_MS;
}

function ago(ms: number): string {
  const seconds = Math.round(Math.abs(ms) / 1000);
  const text = seconds < 90 ? `${seconds} s` : seconds < 5400 ? `${Math.round(seconds / 60)} min` : `${Math.round(seconds / 3600)} h`;
  return ms >= 0 ? `${text} ago` : `in ${text}`;
}

function when(value: string | null | undefined, now: number): string {
  const ms = parseGraphTime(value);
  return ms === undefined ? "never" : `${new Date(ms).toISOString()} (${ago(now - ms)})`;
}

/** A two-column table for the `settings` command. */
export function formatSettings(settings: AutopilotSettings, now: number): string {
  const next = nextManualSyncAllowedAt(settings);
  const rows: Array<[string, string]> = [
    ["Sync status", settings.syncStatus],
    ["Last sync", when(settings.lastSyncDateTime, now)],
    ["Last manual sync trigger", when(settings.lastManualSyncTriggerDateTime, now)],
    ["Next manual sync allowed", next === undefined || next <= now ? "now" : `${new Date(next).toISOString()} (${ago(now - next)})`],
    ["Settings id", settings.id ?? ""],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return `${rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join("\n")}\n`;
}
