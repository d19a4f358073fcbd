/**
 * The deployment examples under deploy/, checked without a cluster: every YAML parses; every Kubernetes object passes
 * the Kubernetes OpenAPI schema of its kind (kubernetes-models) and the properties this tool's jobs need (workload
 * identity, restricted security context, resources, volumes matching the image); kustomizations reference files that
 * exist and patch objects their bases have; the Container Apps job has a schedule trigger, an identity, resources of a
 * valid size and volumes for its mounts. Every environment variable set is one the CLI reads.
 */
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { CronJob, type ICronJob } from "kubernetes-models/batch/v1/CronJob";
import { Namespace, type INamespace } from "kubernetes-models/v1/Namespace";
import { PersistentVolumeClaim, type IPersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import { ServiceAccount, type IServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { describe, expect, it } from "vitest";
import { commandLoaders } from "../../src/cli/commands/index.js";
import { GRAPH_ENV_ONLY } from "../../src/cli/options/graph.js";
import { loadRunConfig } from "../../src/cli/config/run.js";
import {
  DEPLOY,
  GUID,
  cliEnvironmentVariables,
  containsArray,
  isCronExpression,
  isKustomization,
  kustomizationObjects,
  kustomizationPatches,
  kustomizationResources,
  loadYaml,
  mountHolding,
  patchFiles,
  quantity,
  yamlFiles,
  type ContainerAppsJob,
  type K8sObject,
} from "./deploy-model.js";
import { ofKind, parseDockerfile } from "./dockerfile-model.js";

const rel = (file: string): string => path.relative(DEPLOY, file);
const docker = parseDockerfile();
const runtime = docker.stages.at(-1)!;
const imageUid = Number(ofKind(runtime, "USER").at(-1)!.getArgumentsContent()!.split(":")[0]);
const imageWorkdir = ofKind(runtime, "WORKDIR").at(-1)!.getArgumentsContent()!;
const cliVariables = cliEnvironmentVariables();
const secretVariables = new Set<string>([...GRAPH_ENV_ONLY.clientSecret, ...GRAPH_ENV_ONLY.certificatePassword]);

const KUBERNETES_DIR = path.join(DEPLOY, "kubernetes");
const CONTAINER_APPS_DIR = path.join(DEPLOY, "azure-container-apps");
const patches = patchFiles();
/** Whole Kubernetes manifests (not kustomizations, not patches), by file. */
const manifests = yamlFiles(KUBERNETES_DIR).filter((f) => !isKustomization(f) && !patches.has(f));

/** Validates an object against its kind's schema and returns it typed. */
function validated(object: K8sObject): CronJob | ServiceAccount | PersistentVolumeClaim | Namespace {
  const key = `${object.apiVersion} ${object.kind}`;
  const model =
    key === "batch/v1 CronJob"
      ? new CronJob(object as unknown as ICronJob)
      : key === "v1 ServiceAccount"
        ? new ServiceAccount(object as unknown as IServiceAccount)
        : key === "v1 PersistentVolumeClaim"
          ? new PersistentVolumeClaim(object as unknown as IPersistentVolumeClaim)
          : key === "v1 Namespace"
            ? new Namespace(object as unknown as INamespace)
            : expect.fail(`${key}: no schema for this kind in the checks`);
  model.validate();
  return model;
}

function checkEnvironment(names: readonly { name: string; value?: string | undefined }[], where: string): void {
  for (const { name, value } of names) {
    expect(cliVariables.has(name), `${where}: ${name} is not a variable the CLI reads`).toBe(true);
    if (secretVariables.has(name)) expect(value, `${where}: ${name} must come from a secret, not a literal`).toBeUndefined();
  }
}

/**
 * The container's first argument is a command the CLI has; for `run`, the inbox and its state directory (as the CLI
 * resolves them from these arguments and variables) lie on one mounted volume, not /tmp: moves are renames within
 * it, and the journals survive the pod.
 */
function checkCommand(
  args: readonly string[],
  env: readonly { name: string; value?: string | undefined }[],
  workingDir: string,
  mountPaths: readonly string[],
  where: string,
): void {
  expect(Object.keys(commandLoaders), `${where}: args[0] '${args[0]}' is not a command`).toContain(args[0]);
  if (args[0] !== "run") return;
  const variables = Object.fromEntries(env.flatMap((e) => (e.value === undefined ? [] : [[e.name, e.value]])));
  const config = loadRunConfig(args.slice(1), variables, workingDir);
  const volume = mountHolding(config.inbox, mountPaths);
  expect(volume, `${where}: the inbox ${config.inbox} is on no volume`).toBeDefined();
  expect(volume).not.toBe("/tmp");
  expect(mountHolding(config.stateDir, mountPaths), `${where}: the state directory ${config.stateDir} is not on the inbox's volume`).toBe(volume);
}

/** What a CronJob of this tool needs, given the other objects applied with it. */
function checkCronJob(cron: CronJob, siblings: readonly K8sObject[], where: string): void {
  const spec = cron.spec!;
  expect(isCronExpression(spec.schedule), `${where}: schedule '${spec.schedule}'`).toBe(true);
  expect(spec.concurrencyPolicy).toBe("Forbid");
  const job = spec.jobTemplate.spec!;
  const template = job.template;
  const pod = template.spec!;
  expect(["Never", "OnFailure"]).toContain(pod.restartPolicy);

  // Workload identity: the pod label, and a ServiceAccount with the client id annotation.
  expect(template.metadata?.labels?.["azure.workload.identity/use"]).toBe("true");
  const account = siblings.find((o) => o.kind === "ServiceAccount" && o.metadata.name === pod.serviceAccountName);
  expect(account, `${where}: ServiceAccount '${pod.serviceAccountName}'`).toBeDefined();
  expect(account!.metadata.annotations?.["azure.workload.identity/client-id"]).toMatch(GUID);

  // Restricted security: non-root as the image's own uid, no privilege, read-only root, seccomp.
  expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: imageUid, seccompProfile: { type: "RuntimeDefault" } });
  expect(pod.containers).toHaveLength(1);
  const container = pod.containers[0]!;
  expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
  expect(container.securityContext?.capabilities?.drop).toContain("ALL");
  expect(container.securityContext?.privileged ?? false).toBe(false);

  // The image, pinned; the arguments; the environment.
  expect(container.image).toMatch(/^[\w.-]+(:\d+)?(\/[\w.-]+)+:[\w.-]+$/);
  expect(container.image!.endsWith(":latest")).toBe(false);
  expect(container.args?.length).toBeGreaterThan(0);
  expect(container.command, `${where}: keep the image's ENTRYPOINT`).toBeUndefined();
  checkEnvironment(container.env ?? [], where);
  checkCommand(container.args!, container.env ?? [], container.workingDir ?? imageWorkdir, (container.volumeMounts ?? []).map((m) => m.mountPath), where);

  // Resources: both set, limits at least the requests.
  const { requests, limits } = container.resources ?? {};
  for (const resource of ["cpu", "memory"] as const) {
    expect(requests?.[resource], `${where}: requests.${resource}`).toBeDefined();
    expect(limits?.[resource], `${where}: limits.${resource}`).toBeDefined();
    expect(quantity(limits![resource])).toBeGreaterThanOrEqual(quantity(requests![resource]));
  }

  // Volumes: every mount has its volume; the working directory and /tmp are writable volumes; the claim exists.
  const volumes = new Map((pod.volumes ?? []).map((v) => [v.name, v]));
  for (const mount of container.volumeMounts ?? []) expect(volumes.has(mount.name), `${where}: volume '${mount.name}'`).toBe(true);
  const mountAt = (dir: string) => volumes.get((container.volumeMounts ?? []).find((m) => m.mountPath === dir)?.name ?? "");
  expect(container.workingDir ?? imageWorkdir).toBe(imageWorkdir);
  const claim = mountAt(imageWorkdir)?.persistentVolumeClaim?.claimName;
  expect(siblings.some((o) => o.kind === "PersistentVolumeClaim" && o.metadata.name === claim), `${where}: claim '${claim}'`).toBe(true);
  expect(mountAt("/tmp")?.emptyDir).toBeDefined();
}

describe("deploy/: every YAML file", () => {
  it("parses, and deploy/ holds the Kubernetes and Container Apps examples", () => {
    const files = yamlFiles();
    for (const file of files) expect(loadYaml(file).length, rel(file)).toBeGreaterThan(0);
    expect(files.map(rel)).toEqual(expect.arrayContaining(["kubernetes/cronjob.yaml", "azure-container-apps/job.yaml"]));
    expect(existsSync(path.join(DEPLOY, "README.md"))).toBe(true);
  });
});

describe("Kubernetes manifests", () => {
  it("every object has apiVersion, kind and metadata.name and passes its kind's schema", () => {
    for (const file of manifests) {
      for (const object of loadYaml(file) as K8sObject[]) {
        expect(object.metadata?.name, rel(file)).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
        expect(() => validated(object), `${rel(file)} ${object.kind}`).not.toThrow();
      }
    }
  });

  it("each CronJob is a scheduled, non-overlapping, workload-identity job with a restricted security context", () => {
    let cronJobs = 0;
    for (const file of manifests) {
      const objects = loadYaml(file) as K8sObject[];
      for (const object of objects.filter((o) => o.kind === "CronJob")) {
        checkCronJob(validated(object) as CronJob, objects, rel(file));
        cronJobs += 1;
      }
    }
    expect(cronJobs).toBeGreaterThanOrEqual(2);
  });

  it("the multi-tenant base is the single-tenant example", () => {
    expect(isDeepStrictEqual(loadYaml(path.join(KUBERNETES_DIR, "multi-tenant/base/cronjob.yaml")), loadYaml(path.join(KUBERNETES_DIR, "cronjob.yaml")))).toBe(true);
  });
});

describe("kustomizations", () => {
  const kustomizations = yamlFiles(KUBERNETES_DIR).filter(isKustomization);

  it("reference resources and patches that exist; each patch targets an object of its bases, maps only", () => {
    expect(kustomizations.length).toBeGreaterThan(0);
    for (const file of kustomizations) {
      const k = loadYaml(file)[0] as { apiVersion: string; kind: string };
      expect(k).toMatchObject({ apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization" });
      for (const resource of kustomizationResources(file)) {
        const ok = existsSync(resource) && (resource.endsWith(".yaml") || existsSync(path.join(resource, "kustomization.yaml")));
        expect(ok, `${rel(file)}: ${rel(resource)}`).toBe(true);
        expect((path.dirname(file) + path.sep).startsWith(resource + path.sep), `${rel(file)}: a base may not contain its overlay`).toBe(false);
      }
      const objects = kustomizationObjects(file);
      for (const patch of kustomizationPatches(file)) {
        expect(existsSync(patch), `${rel(file)}: ${rel(patch)}`).toBe(true);
        for (const target of loadYaml(patch) as K8sObject[]) {
          const found = objects.some((o) => o.apiVersion === target.apiVersion && o.kind === target.kind && o.metadata.name === target.metadata.name);
          expect(found, `${rel(patch)}: ${target.kind} ${target.metadata.name} is not in the base`).toBe(true);
          // Without lists a strategic merge patch is a plain map merge: no merge keys to get wrong.
          expect(containsArray(target), `${rel(patch)}: lists in a patch`).toBe(false);
        }
      }
    }
  });

  it("multi-tenant: one overlay per tenant, each with its own suffix, tenant, identity and start time; all in one namespace", () => {
    const tenantsDir = path.join(KUBERNETES_DIR, "multi-tenant/tenants");
    const tenants = readdirSync(tenantsDir).sort();
    expect(tenants.length).toBeGreaterThanOrEqual(2);
    const suffixes = new Set<string>();
    const tenantIds = new Set<string>();
    const schedules = new Set<string>();
    for (const tenant of tenants) {
      const file = path.join(tenantsDir, tenant, "kustomization.yaml");
      const k = loadYaml(file)[0] as { nameSuffix?: string; labels?: { pairs: Record<string, string> }[] };
      expect(k.nameSuffix).toBe(`-${tenant}`);
      suffixes.add(k.nameSuffix!);
      expect(k.labels?.some((l) => l.pairs["autopilot-import/tenant"] === tenant)).toBe(true);
      const patched = kustomizationPatches(file).flatMap((p) => loadYaml(p) as K8sObject[]);
      const account = patched.find((o) => o.kind === "ServiceAccount");
      expect(account?.metadata.annotations?.["azure.workload.identity/client-id"]).toMatch(GUID);
      const tenantId = account?.metadata.annotations?.["azure.workload.identity/tenant-id"];
      expect(tenantId).toMatch(GUID);
      tenantIds.add(tenantId!);
      const schedule = (patched.find((o) => o.kind === "CronJob") as { spec?: { schedule?: string } } | undefined)?.spec?.schedule;
      expect(isCronExpression(schedule ?? ""), `${tenant}: schedule '${schedule}'`).toBe(true);
      schedules.add(schedule!);
    }
    expect([suffixes.size, tenantIds.size, schedules.size]).toEqual([tenants.length, tenants.length, tenants.length]);

    const top = path.join(KUBERNETES_DIR, "multi-tenant/kustomization.yaml");
    const { namespace } = loadYaml(top)[0] as { namespace?: string };
    expect(namespace).toBeDefined();
    const resources = kustomizationResources(top);
    for (const tenant of tenants) expect(resources).toContain(path.join(tenantsDir, tenant));
    const ns = kustomizationObjects(top).find((o) => o.kind === "Namespace");
    expect(ns?.metadata.name).toBe(namespace);
  });
});

describe("Azure Container Apps job", () => {
  const files = yamlFiles(CONTAINER_APPS_DIR);

  it("is a scheduled Microsoft.App/jobs with a managed identity, the CLI's variables, valid resources and its volumes", () => {
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const [job] = loadYaml(file) as [ContainerAppsJob];
      expect(job).toMatchObject({ type: "Microsoft.App/jobs", name: expect.any(String), location: expect.any(String) });
      const { configuration, template } = job.properties;
      expect(job.properties.environmentId).toMatch(/\/providers\/Microsoft\.App\/managedEnvironments\//);
      expect(configuration.triggerType).toBe("Schedule");
      expect(isCronExpression(configuration.scheduleTriggerConfig?.cronExpression ?? "")).toBe(true);
      expect(configuration.scheduleTriggerConfig).toMatchObject({ parallelism: 1, replicaCompletionCount: 1 });
      expect(configuration.replicaTimeout).toBeGreaterThan(0);

      // A user-assigned identity signs in (AUTOPILOT_IMPORT_MANAGED_IDENTITY) and pulls the image.
      expect(job.identity.type).toMatch(/UserAssigned/);
      const identities = Object.keys(job.identity.userAssignedIdentities ?? {});
      expect(identities.length).toBeGreaterThan(0);
      for (const registry of configuration.registries ?? []) expect(identities).toContain(registry.identity);

      expect(template.containers).toHaveLength(1);
      const container = template.containers[0]!;
      expect(container.image).toMatch(/:[\w.-]+$/);
      expect(container.image.endsWith(":latest")).toBe(false);
      expect(container.args?.length).toBeGreaterThan(0);
      checkEnvironment(container.env ?? [], rel(file));
      checkCommand(container.args!, container.env ?? [], imageWorkdir, (container.volumeMounts ?? []).map((m) => m.mountPath), rel(file));
      expect(container.env?.find((e) => e.name === "AUTOPILOT_IMPORT_MANAGED_IDENTITY")?.value).toMatch(GUID);
      // Consumption profile: 0.25 to 4 vCPU in steps of 0.25, with twice as many GiB of memory.
      const { cpu, memory } = container.resources;
      expect(Number.isInteger(cpu * 4) && cpu >= 0.25 && cpu <= 4).toBe(true);
      expect(quantity(memory)).toBe(cpu * 2 * 2 ** 30);

      const volumes = new Map((template.volumes ?? []).map((v) => [v.name, v]));
      for (const mount of container.volumeMounts ?? []) expect(volumes.has(mount.volumeName), mount.volumeName).toBe(true);
      const at = (dir: string) => volumes.get(container.volumeMounts?.find((m) => m.mountPath === dir)?.volumeName ?? "");
      expect(at(imageWorkdir)).toMatchObject({ storageType: "AzureFile", storageName: expect.any(String) });
      expect(at(imageWorkdir)?.mountOptions).toContain(`uid=${imageUid}`);
      expect(at("/tmp")?.storageType).toBe("EmptyDir");
    }
  });
});
