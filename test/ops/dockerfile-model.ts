/**
 * The Dockerfile as data for the tests: parsed with dockerfile-ast (the parser of the Docker language server), split
 * into stages, with the global ARG defaults substituted the way `docker build` does when no --build-arg is given.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { DockerfileParser, JSONInstruction, PropertyInstruction, type Copy, type Dockerfile, type Instruction, type Run } from "dockerfile-ast";

export const ROOT = path.resolve(import.meta.dirname, "../..");

export interface Stage {
  readonly name: string | null;
  /** The FROM image with global ARG defaults substituted. */
  readonly image: string;
  readonly instructions: readonly Instruction[];
}

export interface ParsedDockerfile {
  readonly text: string;
  readonly dockerfile: Dockerfile;
  readonly globalArgs: ReadonlyMap<string, string>;
  readonly stages: readonly Stage[];
}

export function substitute(text: string, values: ReadonlyMap<string, string>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced?: string, bare?: string) => values.get((braced ?? bare)!) ?? whole);
}

export function parseDockerfile(file = path.join(ROOT, "Dockerfile")): ParsedDockerfile {
  const text = readFileSync(file, "utf8");
  const dockerfile = DockerfileParser.parse(text);
  const globalArgs = new Map<string, string>();
  for (const arg of dockerfile.getInitialARGs()) {
    const property = arg.getProperty();
    if (property?.getValue()) globalArgs.set(property.getName(), property.getValue()!);
  }
  const froms = dockerfile.getFROMs();
  const all = dockerfile.getInstructions();
  const stages = froms.map((from, index) => {
    const start = from.getRange().start.line;
    const end = froms[index + 1]?.getRange().start.line ?? Number.POSITIVE_INFINITY;
    return {
      name: from.getBuildStage(),
      image: substitute(from.getImage() ?? "", globalArgs),
      instructions: all.filter((i) => i.getRange().start.line > start && i.getRange().start.line < end),
    };
  });
  return { text, dockerfile, globalArgs, stages };
}

export function ofKind<T extends Instruction = Instruction>(stage: Stage, keyword: string): T[] {
  return stage.instructions.filter((i) => i.getKeyword() === keyword) as T[];
}

/** The arguments of an exec-form (JSON array) instruction, or undefined for the shell form. */
export function execForm(instruction: Instruction): string[] | undefined {
  if (!(instruction instanceof JSONInstruction) || !instruction.getOpeningBracket()) return undefined;
  const strings = instruction.getJSONStrings().map((s) => s.getJSONValue());
  return strings.length > 0 ? strings : undefined;
}

export function properties(instruction: Instruction): Map<string, string> {
  const map = new Map<string, string>();
  if (!(instruction instanceof PropertyInstruction)) throw new Error(`${instruction.getKeyword()} has no properties`);
  for (const property of instruction.getProperties()) map.set(property.getName(), property.getValue() ?? "");
  return map;
}

export interface CopyStep {
  readonly from: string | undefined;
  readonly sources: readonly string[];
  readonly destination: string;
}

export function copies(stage: Stage): CopyStep[] {
  return ofKind<Copy>(stage, "COPY").map((copy) => {
    const from = copy.getFromFlag()?.getValue() ?? undefined;
    const args = copy.getArguments().map((a) => a.getValue());
    return { from, sources: args.slice(0, -1), destination: args.at(-1)! };
  });
}

/** The shell text of each RUN, with BuildKit flags (`--mount=…`) kept apart. */
export function runs(stage: Stage): { flags: string[]; command: string }[] {
  return ofKind<Run>(stage, "RUN").map((run) => ({
    flags: run.getFlags().map((f) => `${f.getName()}=${f.getValue() ?? ""}`),
    command: (run.getArgumentsContent() ?? "").replace(/\s+/g, " ").trim(),
  }));
}
