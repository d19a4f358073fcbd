import { describe, expect, it } from "vitest";
import { z } from "zod";
import { envTable, switchOption, valueOption } from "../../../src/cli/options/option.js";
import { parseOptions } from "../../../src/cli/options/parse.js";
import { durationText, integerText } from "../../../src/cli/options/values.js";
import { usageMessage } from "../../support/usage-error.js";

const table = {
  "batch-size": valueOption({ arg: "N", schema: integerText(1, 500), default: 500, help: "devices per upload" }),
  tenant: valueOption({ arg: "ID", env: ["AUTOPILOT_IMPORT_TENANT", "AZURE_TENANT_ID"], schema: z.string().min(1), help: "tenant" }),
  wait: valueOption({ arg: "DURATION", schema: durationText(true), help: "how long" }),
  verify: switchOption({ default: true, help: "do not verify" }),
};

describe("parseOptions: one table gives the command line, the environment and the defaults", () => {
  it("takes defaults when neither the flag nor a variable is given; options without one are undefined", () => {
    const { values, given } = parseOptions(table, [], {});
    expect(values).toEqual({ "batch-size": 500, tenant: undefined, wait: undefined, verify: true });
    expect(given.size).toBe(0);
  });

  it("derives each option's variable from its flag, and a flag wins over its variable", () => {
    expect(envTable(table)).toEqual({
      "batch-size": ["AUTOPILOT_IMPORT_BATCH_SIZE"],
      tenant: ["AUTOPILOT_IMPORT_TENANT", "AZURE_TENANT_ID"],
      wait: ["AUTOPILOT_IMPORT_WAIT"],
      verify: ["AUTOPILOT_IMPORT_VERIFY"],
    });
    expect(parseOptions(table, [], { AUTOPILOT_IMPORT_BATCH_SIZE: "20" }).values["batch-size"]).toBe(20);
    const both = parseOptions(table, ["--batch-size", "30"], { AUTOPILOT_IMPORT_BATCH_SIZE: "20" });
    expect(both.values["batch-size"]).toBe(30);
    expect([...both.given]).toEqual(["batch-size"]);
  });

  it("reads a list of variables first match first, skipping empty ones", () => {
    expect(parseOptions(table, [], { AZURE_TENANT_ID: "b", AUTOPILOT_IMPORT_TENANT: "a" }).values.tenant).toBe("a");
    expect(parseOptions(table, [], { AZURE_TENANT_ID: "b", AUTOPILOT_IMPORT_TENANT: "" }).values.tenant).toBe("b");
  });

  it("turns a switch off with --no-x or a false-ish variable", () => {
    expect(parseOptions(table, ["--no-verify"], {}).values.verify).toBe(false);
    expect(parseOptions(table, [], { AUTOPILOT_IMPORT_VERIFY: "off" }).values.verify).toBe(false);
    expect(parseOptions(table, ["--verify"], { AUTOPILOT_IMPORT_VERIFY: "0" }).values.verify).toBe(true);
  });

  it("names every bad value by where it came from, in one error", () => {
    const message = usageMessage(() => parseOptions(table, ["--batch-size", "0"], { AZURE_TENANT_ID: "", AUTOPILOT_IMPORT_WAIT: "soon", AUTOPILOT_IMPORT_VERIFY: "maybe" }));
    expect(message).toBe(
      "--batch-size: must be at least 1; AUTOPILOT_IMPORT_WAIT: expected a duration such as 90s, 30m, 1h or plain seconds, got 'soon'; AUTOPILOT_IMPORT_VERIFY: expected true or false, got 'maybe'",
    );
  });

  it("says what is wrong with a malformed command line, and where the command's help is", () => {
    expect(usageMessage(() => parseOptions(table, ["--bogus"], {}, { command: "import" }))).toBe("import: unknown option '--bogus' (see 'autopilot-import import --help')");
    expect(usageMessage(() => parseOptions(table, ["--tenant"], {}, { command: "sync" }))).toBe("sync: --tenant needs a value (ID) (see 'autopilot-import sync --help')");
    expect(usageMessage(() => parseOptions(table, ["--verify=yes"], {}, { command: "sync" }))).toBe("sync: --verify does not take a value (see 'autopilot-import sync --help')");
    expect(usageMessage(() => parseOptions(table, ["x.csv"], {}, { command: "run" }))).toBe("run: unexpected argument 'x.csv': this command takes options only (see 'autopilot-import run --help')");
    expect(parseOptions(table, ["x.csv", "-"], {}, { positionals: true }).positionals).toEqual(["x.csv", "-"]);
  });

  it("suggests the near miss of an unknown option, a switch's --no- form too", () => {
    expect(usageMessage(() => parseOptions(table, ["--batchsize", "5"], {}, { command: "import" }))).toBe(
      "import: unknown option '--batchsize': did you mean --batch-size? (see 'autopilot-import import --help')",
    );
    expect(usageMessage(() => parseOptions(table, ["--no-verfy"], {}, { command: "validate" }))).toMatch(/^validate: unknown option '--no-verfy': did you mean --no-verify\?/);
    expect(usageMessage(() => parseOptions(table, ["--tenat=x"], {}))).toBe("unknown option '--tenat': did you mean --tenant?");
  });

  it("lets a command rewrite its arguments and texts before validation", () => {
    const parsed = parseOptions(table, ["--later"], {}, { prepare: (args) => args.map((a) => (a === "--later" ? "--wait=5m" : a)), normalize: (flag, raw) => (flag === "wait" && raw === "5m" ? "6m" : raw) });
    expect(parsed.values.wait).toBe(360_000);
  });
});
