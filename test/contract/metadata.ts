/** The project's copy of Microsoft's metadata (./metadata, see its README), read once per test file. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { readBetaProperties, type BetaProperties } from "./beta-properties.js";
import { CsdlModel, readCsdlSchemas } from "./csdl.js";

export const METADATA_DIR = path.join(import.meta.dirname, "metadata");
export const V1_FILES = ["autopilot-v1.0.csdl.xml", "entity-base.csdl.xml"] as const;
export const BETA_FILE = "autopilot-beta-properties.json";

export interface Contract {
  /** v1.0: types, nullability, enums and actions. */
  readonly v1: CsdlModel;
  /** beta: property names only. */
  readonly beta: BetaProperties;
}

let loaded: Contract | undefined;

export function loadContract(): Contract {
  loaded ??= {
    v1: new CsdlModel(V1_FILES.flatMap((file) => readCsdlSchemas(readFileSync(path.join(METADATA_DIR, file), "utf8")))),
    beta: readBetaProperties(readFileSync(path.join(METADATA_DIR, BETA_FILE), "utf8")),
  };
  return loaded;
}
