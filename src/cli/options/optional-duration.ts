/**
 * A flag with an optional duration (`--wait`, `--wait 10m`, `--wait=10m`), as `--managed-identity` takes an optional
 * id: a bare flag, or a true-ish variable, stands for the default; a false-ish variable turns it off.
 */
import type { ParseOptions } from "./parse.js";
import { booleanText } from "./values.js";
import { parseDuration } from "../../util/duration.js";

/** How long a profile wait lasts when its flag is given bare. */
export const DEFAULT_PROFILE_WAIT = "30m";

/** Parses like `base`, with `flag` taking an optional duration (the next argument, when it reads as one). */
export function withOptionalDuration(base: ParseOptions, flag: string, bareValue: string): ParseOptions {
  const spelled = `--${flag}`;
  return {
    ...base,
    prepare: (args) => {
      const out: string[] = [];
      for (let i = 0; i < args.length; i++) {
        const arg = args[i]!;
        if (arg !== spelled) {
          out.push(arg);
          continue;
        }
        const next = args[i + 1];
        if (next !== undefined && parseDuration(next) !== undefined) {
          out.push(`${spelled}=${next}`);
          i += 1;
        } else out.push(`${spelled}=`);
      }
      return base.prepare ? base.prepare(out) : out;
    },
    normalize: (name, raw) => {
      if (name !== flag) return base.normalize ? base.normalize(name, raw) : raw;
      if (typeof raw !== "string" || raw === "") return bareValue;
      if (parseDuration(raw) !== undefined) return raw;
      const asSwitch = booleanText.safeParse(raw);
      if (asSwitch.success) return asSwitch.data ? bareValue : undefined;
      return raw;
    },
  };
}
