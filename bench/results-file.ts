/** bench/RESULTS.md, where each benchmark's --write replaces its own `## <title>` section (appended when missing). */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const RESULTS = fileURLToPath(new URL("RESULTS.md", import.meta.url));

export function replaceResultsSection(title: string, section: string): void {
  const current = existsSync(RESULTS) ? readFileSync(RESULTS, "utf8") : "# Benchmark results\n";
  const start = current.indexOf(`\n## ${title}\n`);
  let next: string;
  if (start === -1) next = `${current.trimEnd()}\n\n${section}`;
  else {
    const after = current.indexOf("\n## ", start + 1);
    next = `${current.slice(0, start + 1)}${section}${after === -1 ? "" : current.slice(after)}`;
  }
  writeFileSync(RESULTS, next);
  process.stderr.write(`wrote the ${title} section of ${RESULTS}\n`);
}
