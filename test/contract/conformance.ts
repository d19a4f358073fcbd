/**
 * Whether JSON conforms to Microsoft's metadata: property names declared on the type or its base types, values of the
 * declared type (primitives, enum members, complex types recursively, collections), Nullable="false" never null.
 * `@odata.*` annotations are allowed; an `@odata.type` must name the type checked or one derived from it.
 */
import type { CsdlAction, CsdlModel } from "./csdl.js";
import { primitiveProblem } from "./edm-values.js";
import type { Contract } from "./metadata.js";

export interface Violation {
  /** JSONPath-like: "$.value[3].state.deviceErrorCode". */
  readonly path: string;
  readonly message: string;
}

/**
 * Which declared properties an instance must carry: "all" for a full entity (Graph answers every structural property,
 * null or not, when there is no $select; nested complex values then carry all of theirs), or a $select list.
 */
export type Required = "all" | readonly string[] | undefined;

const INSTANCE_ANNOTATION = /^@odata\.[A-Za-z]+$/;
const PROPERTY_ANNOTATION = /^([^@]+)@odata\.[A-Za-z]+$/;
const GRAPH_NAMESPACE = "microsoft.graph";

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const shortName = (qualified: string): string => qualified.slice(qualified.lastIndexOf(".") + 1);

class Checker {
  readonly violations: Violation[] = [];

  constructor(private readonly model: CsdlModel) {}

  fail(path: string, message: string): void {
    this.violations.push({ path, message });
  }

  value(written: string, nullable: boolean, value: unknown, path: string, required: Required): void {
    const ref = this.model.typeRef(written);
    if (!ref.collection) return this.single(ref.name, nullable, value, path, required);
    // Nullable on a collection speaks of its items; the collection itself is [] when empty, never null.
    if (!Array.isArray(value)) return this.fail(path, `${JSON.stringify(value)?.slice(0, 40)} is not a JSON array (${written})`);
    value.forEach((item, index) => this.single(ref.name, nullable, item, `${path}[${index}]`, required));
  }

  single(type: string, nullable: boolean, value: unknown, path: string, required: Required): void {
    if (value === null) {
      if (!nullable) this.fail(path, `is null, but it is declared Nullable="false" (${shortName(type)})`);
      return;
    }
    if (type.startsWith("Edm.")) {
      const problem = primitiveProblem(type, value);
      if (problem) this.fail(path, `${problem} (${type})`);
      return;
    }
    const enumType = this.model.enumType(type);
    if (enumType) {
      const members = enumType.members.map((member) => member.name);
      const names = typeof value !== "string" ? [] : enumType.isFlags ? value.split(",") : [value];
      if (names.length === 0 || names.some((name) => !members.includes(name))) {
        this.fail(path, `${JSON.stringify(value)} is not a member of ${shortName(enumType.qualifiedName)} (${members.join(", ")})`);
      }
      return;
    }
    if (this.model.structuredType(type)) return this.structured(type, value, path, required);
    throw new Error(`${path}: the type ${type} is not in the metadata`);
  }

  structured(declaredType: string, value: unknown, path: string, required: Required): void {
    const expected = this.model.qualify(declaredType);
    if (!isObject(value)) return this.fail(path, `is not a JSON object (${shortName(expected)})`);
    const type = this.actualType(expected, value["@odata.type"], path);
    const declared = this.model.properties(type);
    const navigation = this.model.navigationPropertyNames(type);
    const open = this.model.lineage(type).some((item) => item.openType);
    for (const [key, item] of Object.entries(value)) {
      if (INSTANCE_ANNOTATION.test(key)) continue;
      const at = `${path}.${key}`;
      const annotated = PROPERTY_ANNOTATION.exec(key)?.[1];
      if (annotated !== undefined) {
        if (!declared.has(annotated) && !navigation.has(annotated) && !open) this.fail(at, `annotates '${annotated}', which ${shortName(type)} does not declare`);
        continue;
      }
      const property = declared.get(key);
      if (property) this.value(property.type, property.nullable, item, at, required === "all" ? "all" : undefined);
      else if (navigation.has(key)) this.fail(at, `is a navigation property of ${shortName(type)}: not part of the entity without $expand`);
      else if (!open) this.fail(at, `is not a property of ${shortName(type)} or its base types`);
    }
    const mustHave = required === "all" ? [...declared.keys()] : (required ?? []);
    for (const name of mustHave) {
      if (!declared.has(name)) throw new Error(`${path}: ${name} is not a property of ${shortName(type)}; fix the expectation`);
      if (!(name in value)) this.fail(`${path}.${name}`, required === "all" ? `is missing from a full ${shortName(type)}` : "was selected but is missing");
    }
  }

  /** The type the instance claims through `@odata.type` (when it is `expected` or derives from it), else `expected`. */
  private actualType(expected: string, odataType: unknown, path: string): string {
    if (odataType === undefined) return expected;
    const named = typeof odataType === "string" && odataType.startsWith("#") ? this.model.qualify(odataType.slice(1)) : undefined;
    if (named !== undefined && this.model.structuredType(named) && this.model.derivesFrom(named, expected)) return named;
    this.fail(`${path}.@odata.type`, `${JSON.stringify(odataType)} does not name ${expected} or a type derived from it`);
    return expected;
  }
}

/** An entity or complex value against its v1.0 type. */
export function checkInstance(model: CsdlModel, type: string, value: unknown, required?: Required, path = "$"): Violation[] {
  const checker = new Checker(model);
  checker.structured(type, value, path, required);
  return checker.violations;
}

/** An action's request body: its non-binding parameters, each of its declared type; a non-nullable one present. */
export function checkActionBody(model: CsdlModel, action: CsdlAction, body: unknown, path = "$"): Violation[] {
  const checker = new Checker(model);
  if (!isObject(body)) return [{ path, message: `the body of ${action.name} is not a JSON object` }];
  const binding = action.isBound ? action.parameters[0] : undefined;
  const parameters = new Map((action.isBound ? action.parameters.slice(1) : action.parameters).map((parameter) => [parameter.name, parameter]));
  for (const [key, value] of Object.entries(body)) {
    if (INSTANCE_ANNOTATION.test(key)) continue;
    const parameter = parameters.get(key);
    if (parameter) checker.value(parameter.type, parameter.nullable, value, `${path}.${key}`, undefined);
    else checker.fail(`${path}.${key}`, key === binding?.name ? "is the binding parameter: the URL carries it" : `is not a parameter of ${action.name}`);
  }
  for (const parameter of parameters.values()) {
    if (!parameter.nullable && !(parameter.name in body)) checker.fail(`${path}.${parameter.name}`, `is missing: ${action.name} declares it Nullable="false"`);
  }
  return checker.violations;
}

/**
 * A beta instance: property names from the beta type mappings (plus `id`, the key every entity inherits from
 * graph.entity); values of properties that v1.0 declares on the same type are checked against that declaration.
 */
export function checkBetaInstance(contract: Contract, type: string, value: unknown, path = "$"): Violation[] {
  const qualified = type.includes(".") ? type : `${GRAPH_NAMESPACE}.${type}`;
  const names = contract.beta.types.get(qualified);
  if (!names) throw new Error(`${qualified} is not in the beta type mappings`);
  if (!isObject(value)) return [{ path, message: `is not a JSON object (${shortName(qualified)})` }];
  const checker = new Checker(contract.v1);
  const v1 = contract.v1.structuredType(qualified) ? contract.v1.properties(qualified) : new Map();
  const odataType = value["@odata.type"];
  if (odataType !== undefined && odataType !== `#${qualified}`) checker.fail(`${path}.@odata.type`, `${JSON.stringify(odataType)} does not name ${qualified}`);
  for (const [key, item] of Object.entries(value)) {
    if (INSTANCE_ANNOTATION.test(key)) continue;
    const at = `${path}.${key}`;
    if (key === "id") checker.single("Edm.String", false, item, at, undefined);
    else if (names.navigationProperties.has(key)) checker.fail(at, `is a navigation property of ${shortName(qualified)}: not part of the entity without $expand`);
    else if (!names.properties.has(key)) checker.fail(at, `is not a beta property of ${shortName(qualified)}`);
    else if (v1.has(key)) checker.value(v1.get(key)!.type, v1.get(key)!.nullable, item, at, undefined);
  }
  return checker.violations;
}
