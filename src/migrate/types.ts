/** What a migration's halves take from its options. */
export interface MigratePlanFlags {
  readonly deadlineMs: number;
  readonly yes: boolean;
  readonly deleteIntuneRecord: boolean;
  readonly forceUnlock: boolean;
}
