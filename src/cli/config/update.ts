/** The `update` command's options and configuration: what to change (a file or --where, --set-* / --clear-*), and the device commands' shared options. */
import { z } from "zod";
import { UsageError } from "../../errors.js";
import { parseWhere, type DeviceSelector } from "../../export/selectors.js";
import { checkGroupTag } from "../../model/group-tag.js";
import { checkUserPrincipalName } from "../../model/user-principal-name.js";
import type { WantedValues } from "../../update/changes.js";
import { graphCommandConfig, graphOptions, graphParsing, type GraphCommandConfig } from "../options/graph.js";
import { envTable, switchOption, valueOption } from "../options/option.js";
import { parseOptions, type Env } from "../options/parse.js";
import { fieldText } from "../options/values.js";
import { deviceOpOptions, loadDeviceOpConfig, type DeviceOpConfig } from "./device-op.js";
import { checkDisplayName } from "../../model/display-name.js";
import { accept } from "../../model/field-check.js";
import { groupNames, groupOptions } from "../../groups/options.js";

export const updateOwnOptions = {
  where: valueOption({
    arg: "SELECTOR",
    env: ["AUTOPILOT_IMPORT_UPDATE_WHERE"],
    schema: z.string(),
    help: "update the tenant's devices matching FIELD=VALUE clauses joined by ' and ' (fields: group-tag, manufacturer, model, purchase-order; group-tag= selects untagged devices), instead of a file; needs a --set-* or --clear-* option",
  }),
  "set-group-tag": valueOption({
    arg: "TAG",
    env: ["AUTOPILOT_IMPORT_UPDATE_SET_GROUP_TAG"],
    schema: fieldText(checkGroupTag),
    help: "the group tag of every device, over the file's Group Tag column; at most 128 characters",
  }),
  "clear-group-tag": switchOption({ default: false, env: ["AUTOPILOT_IMPORT_UPDATE_CLEAR_GROUP_TAG"], help: "remove every device's group tag (over the file's column)" }),
  "set-user": valueOption({
    arg: "UPN",
    env: ["AUTOPILOT_IMPORT_UPDATE_SET_USER"],
    schema: fieldText(checkUserPrincipalName),
    help: "the assigned user (user principal name, name@domain.com) of every device, over the file's Assigned User column",
  }),
  "clear-user": switchOption({ default: false, env: ["AUTOPILOT_IMPORT_UPDATE_CLEAR_USER"], help: "remove every device's assigned user (over the file's column)" }),
  "set-display-name": valueOption({
    arg: "NAME",
    env: ["AUTOPILOT_IMPORT_UPDATE_SET_DISPLAY_NAME"],
    // An empty name is refused as every --set-* value is (the check itself takes "" as "no name").
    schema: fieldText((raw) => {
      const check = checkDisplayName(raw);
      return check.ok && check.value === "" ? accept(undefined) : check;
    }),
    help: "the display name (the device name given at deployment) of every device, over the file's Display Name column: at most 15 letters, digits and hyphens, not digits only",
  }),
  ...groupOptions,
};

export const updateDeviceOpOptions = deviceOpOptions("update", {
  statuses: "updated, unchanged, would_update (--dry-run), not_found, ambiguous, failed, invalid or duplicate; columns file, line, serialNumber, status, deviceId, changes (groupTag: 'A' → 'B'; …), message",
  summary: '{"updated","unchanged","ambiguous","failed","invalid","wouldUpdate","notFound","duplicates","rows","dryRun","requests","durationMs","report"}',
  dryRun: "look the devices up and print the plan on stdout, a line per changed field (serial, device id, field: 'old' → 'new') and the totals (with --json only the summary; the plan is in the report as would_update); nothing is written and no journal is kept",
});

export const updateOptions = { ...updateOwnOptions, ...updateDeviceOpOptions, ...graphOptions };

export const UPDATE_ENV_FOR_FLAG = envTable(updateOptions);

export interface UpdateConfig extends GraphCommandConfig, DeviceOpConfig {
  /** The input files ("-": stdin); empty for a --where run. */
  readonly files: readonly string[];
  readonly selector: DeviceSelector | undefined;
  /** --set-* / --clear-*: "" clears, undefined leaves the file's column (or the device) alone. */
  readonly overrides: WantedValues;
  /** --add-to-group: the groups (names or ids, as given) and how long to wait for lagging Entra objects. */
  readonly groups: { readonly names: readonly string[]; readonly entraWaitMs: number } | undefined;
}

function overridesOf(c: { "set-group-tag"?: string | undefined; "clear-group-tag": boolean; "set-user"?: string | undefined; "clear-user": boolean; "set-display-name"?: string | undefined }): WantedValues {
  if (c["set-group-tag"] !== undefined && c["clear-group-tag"]) throw new UsageError("update: --set-group-tag and --clear-group-tag contradict each other: give one");
  if (c["set-user"] !== undefined && c["clear-user"]) throw new UsageError("update: --set-user and --clear-user contradict each other: give one");
  const overrides: Partial<Record<keyof WantedValues, string>> = {};
  const groupTag = c["clear-group-tag"] ? "" : c["set-group-tag"];
  const user = c["clear-user"] ? "" : c["set-user"];
  if (groupTag !== undefined) overrides.groupTag = groupTag;
  if (user !== undefined) overrides.userPrincipalName = user;
  if (c["set-display-name"] !== undefined) overrides.displayName = c["set-display-name"];
  return overrides;
}

export function loadUpdateConfig(args: readonly string[], env: Env, cwd: string): UpdateConfig {
  const { values: c, positionals } = parseOptions(updateOptions, args, env, { ...graphParsing, command: "update", positionals: true });
  const where = c.where === undefined || c.where.trim() === "" ? undefined : c.where;
  if (where !== undefined && positionals.length > 0) throw new UsageError("update: give a file or --where, not both");
  if (where === undefined && positionals.length === 0) throw new UsageError("update: give a CSV file (or - for standard input), or --where SELECTOR with a --set-* or --clear-* option");
  const overrides = overridesOf(c);
  if (where !== undefined && Object.keys(overrides).length === 0) {
    throw new UsageError("update: --where selects devices but says nothing to change: add --set-group-tag, --clear-group-tag, --set-user, --clear-user or --set-display-name");
  }
  return {
    ...graphCommandConfig(c, env, cwd, { readCaCertificate: true }),
    ...loadDeviceOpConfig("update", c, cwd),
    files: positionals,
    selector: where === undefined ? undefined : parseWhere(where),
    overrides,
    groups: groupNames(c) ? { names: groupNames(c)!, entraWaitMs: c["add-to-group-wait"] } : undefined,
  };
}
