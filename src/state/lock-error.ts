import { StateError } from "../errors.js";
import type { LockHolder } from "./lock-file.js";

/** Another process holds the state directory: names it, and says what to do (exit 2). */
export class StateLockedError extends StateError {
  constructor(
    readonly dir: string,
    readonly holder: LockHolder,
    reason: "alive" | "otherHost",
  ) {
    const who = `process ${holder.pid} on host ${holder.host} since ${holder.since}${holder.command ? ` (${holder.command})` : ""}`;
    const advice =
      reason === "alive"
        ? "Wait for it to finish (or stop it); if that process is not an autopilot-import, run again with --force-unlock"
        : "It runs on another machine, so it cannot be checked from here; its lock is taken over once it has not been renewed for the stale threshold. If it is no longer running, run again with --force-unlock";
    super(`the state directory ${dir} is in use by ${who}. ${advice}.`);
  }
}
