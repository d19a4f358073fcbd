import { readdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { openDeviceReader } from "../../csv/reader.js";
import { emulatorGraphConfig, startEmulator, type ScenarioInput } from "../../emulator/index.js";
import { DEFAULT_WRITE_LIMIT } from "../../after/write-pacer.js";
import { UsageError } from "../../errors.js";
import type { CliContext, Command } from "../context.js";
import type { CommandOutcome } from "../exit-codes.js";
import { commandHelp } from "../options/help.js";
import { switchOption, valueOption } from "../options/option.js";
import { parseOptions } from "../options/parse.js";
import { fileOptions, rowOverrides } from "../options/import.js";
import { defaultReportName } from "../config/import.js";
import { cleanupEndLine } from "../output/cleanup.js";
import { printJson, printOutcomes } from "../output/import-summary.js";
import { loggerFor } from "../output/terminal.js";
import { runImport } from "../run-import.js";

/** The bundled samples: fixtures/samples at the package root (from src/cli/commands or dist/cli/commands). */
const SAMPLES_DIR = fileURLToPath(new URL("../../../fixtures/samples/", import.meta.url));

const demoOptions = {
  report: valueOption({ arg: "PATH", env: [], schema: z.string().min(1), help: "per-device report (default ./autopilot-import-report-<time>.csv)" }),
  json: switchOption({ default: false, env: [], help: "print the import's JSON summary on stdout" }),
  // As `import` has them, without their variables (the demo reads none).
  "group-tag": { ...fileOptions["group-tag"], env: [] },
  "assigned-user": { ...fileOptions["assigned-user"], env: [] },
  "report-delimiter": { ...fileOptions["report-delimiter"], env: [] },
};

const help = commandHelp({
  about: `Usage: autopilot-import demo [files...] [options]

Runs a complete import against a local Graph emulator started in this process, so you can see
the tool work without a tenant: the emulator issues tokens to the real Azure sign-in code, stages
and processes devices on a quick clock, and plays a tenant where one sample device is already
registered (806) and another belongs to another tenant (808). As \`import\` does, it then checks
that the imported devices are registered, triggers the Autopilot sync once and deletes the staged
records it created. Nothing leaves this machine.

Arguments:
  files          CSV files to import (default: the bundled samples in fixtures/samples)
`,
  sections: [["Options", demoOptions]],
  after: `Exit code 0 when the demo ran (the 808 failure is part of the show), 2 for usage errors.
`,
});

/** Quick but realistic: processing takes seconds, Intune's throttling limits apply on the same clock. */
function demoScenario(alreadyRegistered: string | undefined, otherTenant: string | undefined): ScenarioInput {
  return {
    clock: { speed: 10 },
    processing: { delayMs: 15_000, spreadMs: 10_000 },
    tenant: { registeredDevices: alreadyRegistered ? [{ serialNumber: alreadyRegistered }] : [] },
    outcomes: { otherTenantSerials: otherTenant ? [otherTenant] : [] },
  };
}

async function sampleFiles(): Promise<string[]> {
  const names = (await readdir(SAMPLES_DIR)).filter((name) => /\.(csv|tsv)$/i.test(name)).sort();
  if (names.length === 0) throw new UsageError(`no sample files in ${SAMPLES_DIR}`);
  return names.map((name) => path.join(SAMPLES_DIR, name));
}

/** The first valid serial numbers of the inputs, to cast as the 806 and 808 devices. */
async function firstSerials(files: readonly string[], cwd: string, count: number): Promise<string[]> {
  const serials: string[] = [];
  for await (const row of openDeviceReader(files, { cwd }).rows()) {
    if (row.status === "valid") serials.push(row.device.serialNumber);
    if (serials.length >= count) break;
  }
  return serials;
}

async function run(args: readonly string[], context: CliContext): Promise<CommandOutcome> {
  const parsed = parseOptions(demoOptions, args, {}, { command: "demo", positionals: true });
  const files = parsed.positionals.length > 0 ? parsed.positionals : await sampleFiles();
  const reportPath = path.resolve(context.cwd, parsed.values.report ?? defaultReportName(new Date()));
  const [, registered, foreign] = await firstSerials(files, context.cwd, 3);
  const overrides = rowOverrides(parsed.values);

  const emulator = await startEmulator({ scenario: demoScenario(registered, foreign) });
  try {
    const shown = files.map((f) => (path.resolve(context.cwd, f).startsWith(context.cwd + path.sep) ? path.relative(context.cwd, f) : f)).join(", ");
    context.stderr.write(
      `Demo: a local Graph emulator at ${emulator.graphUrl} stands in for Microsoft Graph (tenant ${emulator.tenantId}).\n` +
        `Importing ${shown}\n` +
        (registered && foreign ? `In this emulated tenant ${registered} is already registered (806) and ${foreign} belongs to another tenant (808).\n` : ""),
    );
    const logger = loggerFor(context, "info", undefined);
    const cleanup = { enabled: true, maxTimeMs: 60_000, writeLimit: DEFAULT_WRITE_LIMIT };
    const { summary } = await runImport(context, {
      graph: emulatorGraphConfig(emulator),
      concurrency: 4,
      // The whole job, as `import` runs it: the registration check, one sync and the cleanup of the staged records.
      after: { verify: true, verifyTimeoutMs: 60_000, updateExisting: false, sync: true, syncWait: false, syncMaxWaitMs: 0 },
      cleanup,
      logger,
      files,
      cwd: context.cwd,
      reportPath,
      ...(parsed.values["report-delimiter"] ? { reportDelimiter: parsed.values["report-delimiter"] } : {}),
      ...(overrides ? { overrides } : {}),
      // As in `import`: the outcomes are told as soon as they are final, before the cleanup's remainder.
      onOutcomes: (outcomes, read) => printOutcomes(context, outcomes, read, reportPath),
    });
    if (summary.cleanup) context.stderr.write(`${cleanupEndLine(summary.cleanup, cleanup.writeLimit, cleanup.maxTimeMs, undefined)}\n`);
    if (parsed.values.json) printJson(context, summary);
    context.stderr.write(
      "\nNext, against your tenant: signed in as yourself (an Intune role that may import devices), or as an app\n" +
        "registration with DeviceManagementServiceConfig.ReadWrite.All:\n" +
        "  autopilot-import import devices.csv --tenant <tenant id> --device-code\n" +
        "  AZURE_CLIENT_SECRET=… autopilot-import import devices.csv --tenant <tenant id> --client-id <app id>\n",
    );
    logger.flush();
    return { kind: "done" };
  } finally {
    await emulator.close();
  }
}

export const demoCommand: Command = {
  name: "demo",
  summary: "import the bundled sample files into a local Graph emulator (no tenant needed)",
  help,
  options: demoOptions,
  run,
};
