/**
 * The deployment examples as data: every YAML document under deploy/, the kustomizations and what they reference,
 * and the small parsers the checks need (cron expressions, resource quantities). No cluster is needed.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import { SYNC_ENV_FOR_FLAG } from "../../src/cli/config/sync.js";
import { GRAPH_ENV_ONLY } from "../../src/cli/options/graph.js";
import { ENV_FOR_FLAG } from "../../src/cli/config/import.js";
import { RUN_ENV_FOR_FLAG } from "../../src/cli/config/run.js";
import { ROOT } from "./dockerfile-model.js";

export const DEPLOY = path.join(ROOT, "deploy");

/** The fields of an Azure Container Apps job (Microsoft.App/jobs, as `az containerapp job create --yaml` reads it) checked here. */
export interface ContainerAppsJob {
  readonly name: string;
  readonly type: string;
  readonly location: string;
  readonly identity: { readonly type: string; readonly userAssignedIdentities?: Record<string, unknown> };
  readonly properties: {
    readonly environmentId: string;
    readonly configuration: {
      readonly triggerType: string;
      readonly scheduleTriggerConfig?: { readonly cronExpression: string; readonly parallelism: number; readonly replicaCompletionCount: number };
      readonly replicaTimeout: number;
      readonly replicaRetryLimit: number;
      readonly registries?: readonly { readonly server: string; readonly identity: string }[];
    };
    readonly template: {
      readonly containers: readonly {
        readonly name: string;
        readonly image: string;
        readonly args?: readonly string[];
        readonly env?: readonly { readonly name: string; readonly value?: string; readonly secretRef?: string }[];
        readonly resources: { readonly cpu: number; readonly memory: string };
        readonly volumeMounts?: readonly { readonly volumeName: string; readonly mountPath: string }[];
      }[];
      readonly volumes?: readonly { readonly name: string; readonly storageType: string; readonly storageName?: string; readonly mountOptions?: string }[];
    };
  };
}

export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly annotations?: Record<string, string>; readonly labels?: Record<string, string> };
  readonly [field: string]: unknown;
}

/** Every environment variable the CLI reads (import, run, sync, settings; sign-in, secrets and proxy). */
export function cliEnvironmentVariables(): Set<string> {
  return new Set<string>([...Object.values(ENV_FOR_FLAG), ...Object.values(RUN_ENV_FOR_FLAG), ...Object.values(SYNC_ENV_FOR_FLAG), ...Object.values(GRAPH_ENV_ONLY)].flat());
}

/** The mount path holding `dir` (the longest that contains it), or undefined when `dir` is on no volume. */
export function mountHolding(dir: string, mountPaths: readonly string[]): string | undefined {
  return mountPaths.filter((m) => dir === m || dir.startsWith(m.endsWith("/") ? m : `${m}/`)).sort((a, b) => b.length - a.length)[0];
}

export function yamlFiles(dir = DEPLOY): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return yamlFiles(full);
      return /\.ya?ml$/.test(entry.name) ? [full] : [];
    })
    .sort();
}

/** The documents of a YAML file; any syntax error or warning fails. */
export function loadYaml(file: string): unknown[] {
  const docs = parseAllDocuments(readFileSync(file, "utf8"), { prettyErrors: true });
  return docs.map((doc) => {
    const problems = [...doc.errors, ...doc.warnings].map((e) => e.message);
    if (problems.length > 0) throw new Error(`${path.relative(ROOT, file)}: ${problems.join("; ")}`);
    return doc.toJS() as unknown;
  });
}

export const isKustomization = (file: string): boolean => path.basename(file) === "kustomization.yaml";

/** A kustomization's resources resolved: files, or directories holding a kustomization.yaml. */
export function kustomizationResources(file: string): string[] {
  const k = loadYaml(file)[0] as { resources?: string[] };
  return (k.resources ?? []).map((r) => path.resolve(path.dirname(file), r));
}

export function kustomizationPatches(file: string): string[] {
  const k = loadYaml(file)[0] as { patches?: { path?: string }[] };
  return (k.patches ?? []).flatMap((p) => (p.path ? [path.resolve(path.dirname(file), p.path)] : []));
}

/** Every object a kustomization builds from (recursively, before its own renames and patches). */
export function kustomizationObjects(file: string): K8sObject[] {
  return kustomizationResources(file).flatMap((resource) => {
    if (existsSync(resource) && statSync(resource).isDirectory()) return kustomizationObjects(path.join(resource, "kustomization.yaml"));
    return loadYaml(resource) as K8sObject[];
  });
}

/** Files that kustomizations use as patches: partial objects, not validated as whole ones. */
export function patchFiles(): Set<string> {
  return new Set(yamlFiles().filter(isKustomization).flatMap(kustomizationPatches));
}

export function containsArray(value: unknown): boolean {
  if (Array.isArray(value)) return true;
  return value !== null && typeof value === "object" && Object.values(value).some(containsArray);
}

const CRON_FIELDS: readonly (readonly [number, number])[] = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 7],
];

/** A standard five-field cron expression with numbers, `*`, ranges, lists and steps, each within its field. */
export function isCronExpression(text: string): boolean {
  const fields = text.trim().split(/\s+/);
  if (fields.length !== 5) return false;
  return fields.every((field, index) => {
    const [min, max] = CRON_FIELDS[index]!;
    return field.split(",").every((part) => {
      const match = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
      if (!match) return false;
      const [, , from, to, step] = match;
      const numbers = [from, to].filter((n) => n !== undefined).map(Number);
      if (numbers.some((n) => n < min || n > max)) return false;
      if (numbers.length === 2 && numbers[0]! > numbers[1]!) return false;
      return step === undefined || Number(step) > 0;
    });
  });
}

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
const DECIMAL: Record<string, number> = { "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, m: 1e-3 };

/** A Kubernetes quantity ("200m", "1", 0.5, "384Mi", "1Gi") as a number of cores or bytes. */
export function quantity(value: unknown): number {
  const match = /^(\d+(?:\.\d+)?)([A-Za-z]*)$/.exec(String(value));
  const scale = match ? (BINARY[match[2]!] ?? DECIMAL[match[2]!]) : undefined;
  if (!match || scale === undefined) throw new Error(`not a quantity: ${String(value)}`);
  return Number(match[1]) * scale;
}

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
