import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BETA_FILE, METADATA_DIR, V1_FILES, loadContract } from "./metadata.js";

const README = readFileSync(path.join(METADATA_DIR, "README.md"), "utf8");
const DATA_FILES = [...V1_FILES, BETA_FILE];
/** Where the project's copy came from, in a workspace that has it (a user's clone does not). */
const SHARED = path.join(METADATA_DIR, "../../../../shared/graph-metadata");

/** The commit the README's table gives for `file`. */
const commitFor = (file: string): string | undefined => new RegExp(`^\\| \`${file.replaceAll(".", "\\.")}\` \\|[^|]*\\| \`([0-9a-f]{40})\` \\|`, "m").exec(README)?.[1];

describe("the metadata copy and its provenance", () => {
  it("holds exactly the files the README accounts for, each with its source commit", () => {
    expect(readdirSync(METADATA_DIR).sort()).toEqual([...DATA_FILES, "README.md"].sort());
    expect(README).toContain("microsoftgraph/msgraph-metadata");
    for (const file of DATA_FILES) expect(commitFor(file), file).toMatch(/^[0-9a-f]{40}$/);
  });

  it("each file names the same repository and commit as the README", () => {
    for (const file of V1_FILES) {
      const head = readFileSync(path.join(METADATA_DIR, file), "utf8").split("\n").slice(0, 3).join("\n");
      expect(head, file).toContain("microsoftgraph/msgraph-metadata schemas/v1.0-Prod.csdl");
      expect(head, file).toContain(`commit ${commitFor(file)}`);
    }
    expect(loadContract().beta.source).toContain(commitFor(BETA_FILE));
  });

  it.skipIf(!existsSync(SHARED))("is byte for byte the workspace's ../shared/graph-metadata", () => {
    for (const file of ["autopilot-v1.0.csdl.xml", BETA_FILE]) {
      expect(readFileSync(path.join(METADATA_DIR, file)).equals(readFileSync(path.join(SHARED, file))), file).toBe(true);
    }
  });
});
