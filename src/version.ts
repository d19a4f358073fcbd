import { createRequire } from "node:module";

// Read once from package.json so `--version` and the User-Agent never drift from the release.
const require = createRequire(import.meta.url);
export const VERSION: string = (require("../package.json") as { version: string }).version;
