/**
 * An inbox folder's layout: CSV files are dropped into `inbox/`, and each one is moved to `done/` or `failed/` with its
 * report beside it. The state directory (journals, lock) defaults to `.autopilot-import/` inside the folder, so one
 * volume holds everything and a move is a rename; its `inbox/` subfolder holds reports being written, move plans and
 * the note that a sync is due.
 */
import path from "node:path";

/** The state directory's name inside the inbox folder, unless another one is given. */
export const INBOX_STATE_DIR = ".autopilot-import";

export interface InboxLayout {
  /** The folder given with --inbox. */
  readonly root: string;
  readonly inbox: string;
  readonly done: string;
  readonly failed: string;
  readonly stateDir: string;
  /** Reports being written, move plans and the sync-due note (inside the state directory). */
  readonly work: string;
}

export function inboxLayout(root: string, stateDir: string = path.join(root, INBOX_STATE_DIR)): InboxLayout {
  return {
    root,
    inbox: path.join(root, "inbox"),
    done: path.join(root, "done"),
    failed: path.join(root, "failed"),
    stateDir,
    work: path.join(stateDir, "inbox"),
  };
}

/** Whether the state directory lies inside the inbox folder (then its lock guards the folder too). */
export function stateDirInside(layout: InboxLayout): boolean {
  const relative = path.relative(layout.root, layout.stateDir);
  return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative);
}
