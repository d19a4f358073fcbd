/**
 * The two halves of a migration as the commands that do them: `deregister` in the old tenant, `import` in the new
 * one, each with its own journal in the migration's state directory. Their words are built here from the migration's: the
 * side's tenant and app, the files and reports in the migration's folder, and the sign-in, connection and log flags
 * carried as given. Variables that would steer a half's own report, dry run or fresh start are not passed on.
 */
import type { MigratePlanFlags } from "./types.js";

export interface HalfSide {
  readonly tenant: string;
  readonly clientId: string | undefined;
}

/** `deregister <moving.csv> …`: the old tenant's half (`dryRun`: reads only, no journal). */
export function leaveArgs(side: HalfSide, flags: MigratePlanFlags, files: { readonly moving: string; readonly report: string; readonly stateDir: string }, carried: readonly string[], dryRun = false): string[] {
  return [
    files.moving,
    "--tenant",
    side.tenant,
    ...(side.clientId ? ["--client-id", side.clientId] : []),
    "--report",
    files.report,
    "--state-dir",
    files.stateDir,
    // Whole seconds: the migration's deadline as deregister reads it.
    "--deadline",
    String(Math.max(1, Math.ceil(flags.deadlineMs / 1000))),
    ...(flags.yes ? ["--yes"] : []),
    ...(flags.deleteIntuneRecord ? ["--delete-intune-record"] : []),
    ...(flags.forceUnlock ? ["--force-unlock"] : []),
    ...(dryRun ? ["--dry-run"] : []),
    ...carried,
  ];
}

/** `import <joining.csv> …`: the new tenant's half (its verification and one sync included, as an import does). */
export function joinArgs(side: HalfSide, flags: MigratePlanFlags, files: { readonly joining: string; readonly report: string; readonly stateDir: string }, carried: readonly string[]): string[] {
  return [
    files.joining,
    "--tenant",
    side.tenant,
    ...(side.clientId ? ["--client-id", side.clientId] : []),
    "--report",
    files.report,
    "--state-dir",
    files.stateDir,
    ...(flags.forceUnlock ? ["--force-unlock"] : []),
    ...carried,
  ];
}

/** The environment without the variables a half's own command would read for what the migration decides. */
export function halfEnv(env: Readonly<Record<string, string | undefined>>, steering: readonly string[]): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...env };
  for (const name of steering) delete out[name];
  return out;
}
