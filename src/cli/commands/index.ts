import type { Command } from "../context.js";

/** Commands are loaded lazily so `--help` and small commands start fast. */
export const commandLoaders: Record<string, () => Promise<Command>> = {
  validate: async () => (await import("./validate.js")).validateCommand,
  emulator: async () => (await import("./emulator.js")).emulatorCommand,
};
