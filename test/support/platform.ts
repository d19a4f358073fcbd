/** Tests of what only some platforms have. */
import { it } from "vitest";

/** Modes (0600, 0700, 000, a read-only folder) are POSIX: Windows has none for chmod to set, so these run elsewhere. */
export const itWithPosixModes = it.skipIf(process.platform === "win32");
