/** --add-to-group and --add-to-group-wait: declared once for `import` and `update`. */
import { z } from "zod";
import { valueOption } from "../cli/options/option.js";
import { durationText } from "../cli/options/values.js";
import { formatDuration } from "../util/duration.js";

export const DEFAULT_ENTRA_WAIT_MS = 120_000;

export const groupOptions = {
  "add-to-group": valueOption({
    arg: "GROUP",
    multiple: true,
    schema: z.array(z.string().trim().min(1, "needs a group's display name or object id")),
    help:
      "add every registered device to this static Entra group (display name or object id; repeat the flag for several groups; " +
      "variable: one group per line), 20 members per request; a device already a member is fine. Groups are looked up before anything " +
      "is written: a missing, ambiguous or dynamic group stops the run (exit 2). Needs GroupMember.ReadWrite.All and Device.Read.All",
  }),
  "add-to-group-wait": valueOption({
    arg: "DURATION",
    schema: durationText(true),
    default: DEFAULT_ENTRA_WAIT_MS,
    help: `how long to wait for a device's Entra object, which can lag its registration (default ${formatDuration(DEFAULT_ENTRA_WAIT_MS)}); devices still missing are reported in the groups column`,
  }),
};

/** The group names asked for, or undefined when none. */
export function groupNames(c: { readonly "add-to-group"?: readonly string[] | undefined }): readonly string[] | undefined {
  const names = c["add-to-group"];
  return names && names.length > 0 ? names : undefined;
}
