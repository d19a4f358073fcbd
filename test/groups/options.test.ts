/** --add-to-group is repeatable (its variable: one group per line) and needs the registration check on import. */
import { describe, expect, it } from "vitest";
import { loadImportConfig } from "../../src/cli/config/import.js";
import { loadUpdateConfig } from "../../src/cli/config/update.js";
import { parseOptions } from "../../src/cli/options/parse.js";
import { groupOptions } from "../../src/groups/options.js";

const CWD = "/work/here";

describe("--add-to-group", () => {
  it("takes every value of a repeated flag, in order; its variable holds one group per line; the flag wins", () => {
    expect(parseOptions(groupOptions, ["--add-to-group", "A", "--add-to-group", " B C "], {}).values["add-to-group"]).toEqual(["A", "B C"]);
    expect(parseOptions(groupOptions, [], { AUTOPILOT_IMPORT_ADD_TO_GROUP: "A\r\nB\n\n" }).values["add-to-group"]).toEqual(["A", "B"]);
    expect(parseOptions(groupOptions, ["--add-to-group", "F"], { AUTOPILOT_IMPORT_ADD_TO_GROUP: "E" }).values["add-to-group"]).toEqual(["F"]);
    expect(parseOptions(groupOptions, [], {}).values).toEqual({ "add-to-group": undefined, "add-to-group-wait": 120_000 });
    expect(() => parseOptions(groupOptions, ["--add-to-group", " "], {})).toThrow(/--add-to-group: needs a group's display name or object id/);
  });

  it("import and update carry the groups and the wait; import refuses it with --no-verify", () => {
    expect(loadImportConfig(["a.csv", "--add-to-group", "G", "--add-to-group-wait", "30s"], {}, CWD).groups).toEqual({ names: ["G"], entraWaitMs: 30_000 });
    expect(loadImportConfig(["a.csv"], {}, CWD).groups).toBeUndefined();
    expect(() => loadImportConfig(["a.csv", "--add-to-group", "G", "--no-verify"], {}, CWD)).toThrow(/--add-to-group needs the registration check: drop --no-verify/);
    expect(loadUpdateConfig(["a.csv", "--add-to-group", "G", "--add-to-group", "H"], {}, CWD).groups).toEqual({ names: ["G", "H"], entraWaitMs: 120_000 });
  });
});
