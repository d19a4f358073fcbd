/** The stages around an import, built from the one settings type every caller has (src/after/options.ts). */
import type { AfterImportOptions, CleanupSettings } from "../after/options.js";
import { createPostImportStage } from "../after/post-import.js";
import { createStagedCleanup, type CleanupProgress, type StagedCleanup } from "../after/cleanup.js";
import type { SyncWaitView } from "../after/sync-step.js";
import type { AfterRuntime } from "../after/types.js";
import type { WritePacer } from "../after/write-pacer.js";
import type { GraphClient } from "../graph/client.js";
import type { PostImportStage } from "../pipeline/types.js";

export interface RunStagesOptions extends AfterRuntime {
  /** The steps after polling; none when absent. */
  readonly after?: AfterImportOptions;
  /** The sync is the caller's (the inbox job syncs once, after its last file): the stage leaves it out. */
  readonly syncElsewhere?: boolean;
  /** The deletion of the run's staged records; none when absent or disabled. */
  readonly cleanup?: CleanupSettings;
  /** One write budget shared with other runs of the same app and tenant (the inbox job's files). */
  readonly pacer?: WritePacer;
  /** An after-import step starts (one line for people). */
  readonly onStep?: (message: string) => void;
  readonly onCleanupProgress?: (progress: CleanupProgress) => void;
  /** A sync an earlier run owes (src/state/sync-due.ts): triggered even when this run imports nothing. */
  readonly syncOwed?: boolean;
  /** Shows a wait for the sync's 10-minute window (after the outcomes are told). */
  readonly syncView?: SyncWaitView;
}

export interface RunStages {
  readonly postImport?: PostImportStage;
  readonly cleanup?: StagedCleanup;
}

export function buildStages(client: GraphClient, options: RunStagesOptions): RunStages {
  const { after, cleanup, syncElsewhere, syncOwed, pacer, onStep, onCleanupProgress, syncView, ...runtime } = options;
  return {
    ...(after ? { postImport: createPostImportStage(client, { ...after, ...(syncElsewhere ? { sync: false } : {}), ...runtime, onStep, syncView, syncOwed }) } : {}),
    ...(cleanup?.enabled
      ? { cleanup: createStagedCleanup(client, { writeLimit: cleanup.writeLimit, maxTimeMs: cleanup.maxTimeMs, ...runtime, pacer, onProgress: onCleanupProgress }) }
      : {}),
  };
}
