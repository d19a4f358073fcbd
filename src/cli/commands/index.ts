import type { Command } from "../context.js";

/** Commands are loaded lazily so `--help` and small commands start fast. */
export const commandLoaders: Record<string, () => Promise<Command>> = {
  validate: async () => (await import("./validate.js")).validateCommand,
  emulator: async () => (await import("./emulator.js")).emulatorCommand,
  import: async () => (await import("./import.js")).importCommand,
  run: async () => (await import("./run.js")).runCommand,
  demo: async () => (await import("./demo.js")).demoCommand,
  sync: async () => (await import("./sync.js")).syncCommand,
  settings: async () => (await import("./settings.js")).settingsCommand,
  status: async () => (await import("./status.js")).statusCommand,
  cleanup: async () => (await import("./cleanup.js")).cleanupCommand,
  export: async () => (await import("./export.js")).exportCommand,
  update: async () => (await import("./update.js")).updateCommand,
  deregister: async () => (await import("./deregister.js")).deregisterCommand,
  "profile-status": async () => (await import("./profile-status.js")).profileStatusCommand,
  migrate: async () => (await import("./migrate.js")).migrateCommand,
};
