/**
 * The part of OData CSDL (XML) the contract tests need: schemas with their namespace and alias, entity and complex
 * types (base type, structural and navigation properties with type and nullability), enum types (members) and actions
 * (binding, parameters). Several extracts merge into one model; type names resolve through aliases and base types.
 */
import { descendants, readXmlElements, type XmlElement } from "./xml-elements.js";

export class CsdlError extends Error {
  override readonly name = "CsdlError";
}

export interface CsdlProperty {
  readonly name: string;
  /** As written: "Edm.String", "graph.enrollmentState", "Collection(graph.x)". */
  readonly type: string;
  /** CSDL's default is true; for a collection it applies to the items. */
  readonly nullable: boolean;
}

export interface CsdlStructuredType {
  readonly kind: "EntityType" | "ComplexType";
  readonly qualifiedName: string;
  /** As written, or undefined. */
  readonly baseType: string | undefined;
  readonly abstract: boolean;
  readonly openType: boolean;
  readonly properties: readonly CsdlProperty[];
  readonly navigationProperties: readonly CsdlProperty[];
}

export interface CsdlEnumType {
  readonly qualifiedName: string;
  readonly isFlags: boolean;
  readonly members: ReadonlyArray<{ readonly name: string; readonly value: number }>;
}

export interface CsdlAction {
  readonly name: string;
  readonly qualifiedName: string;
  readonly isBound: boolean;
  /** When bound, the first one is the binding parameter. */
  readonly parameters: readonly CsdlProperty[];
  readonly returnType: string | undefined;
}

export interface CsdlSchema {
  readonly namespace: string;
  readonly alias: string | undefined;
  readonly structuredTypes: readonly CsdlStructuredType[];
  readonly enumTypes: readonly CsdlEnumType[];
  readonly actions: readonly CsdlAction[];
  /** Navigation properties placed directly in the Schema, as an extract does with those of a container type. */
  readonly navigationProperties: readonly CsdlProperty[];
}

/** A type reference resolved to its qualified name. */
export interface TypeRef {
  readonly collection: boolean;
  /** "Edm.String" or "microsoft.graph.x". */
  readonly name: string;
}

function required(element: XmlElement, attribute: string): string {
  const value = element.attributes.get(attribute);
  if (value === undefined || value === "") throw new CsdlError(`line ${element.line}: <${element.localName}> has no ${attribute}`);
  return value;
}

function flag(element: XmlElement, attribute: string, fallback: boolean): boolean {
  const value = element.attributes.get(attribute);
  if (value === undefined) return fallback;
  if (value !== "true" && value !== "false") throw new CsdlError(`line ${element.line}: ${attribute}="${value}" is not a boolean`);
  return value === "true";
}

function property(element: XmlElement): CsdlProperty {
  return { name: required(element, "Name"), type: required(element, "Type"), nullable: flag(element, "Nullable", true) };
}

const childrenNamed = (element: XmlElement, localName: string): XmlElement[] => element.children.filter((child) => child.localName === localName);

function readSchema(schema: XmlElement): CsdlSchema {
  const namespace = required(schema, "Namespace");
  const qualify = (element: XmlElement): string => `${namespace}.${required(element, "Name")}`;
  const structuredTypes = schema.children
    .filter((child) => child.localName === "EntityType" || child.localName === "ComplexType")
    .map((element): CsdlStructuredType => ({
      kind: element.localName as CsdlStructuredType["kind"],
      qualifiedName: qualify(element),
      baseType: element.attributes.get("BaseType"),
      abstract: flag(element, "Abstract", false),
      openType: flag(element, "OpenType", false),
      properties: childrenNamed(element, "Property").map(property),
      navigationProperties: childrenNamed(element, "NavigationProperty").map(property),
    }));
  const enumTypes = childrenNamed(schema, "EnumType").map((element): CsdlEnumType => ({
    qualifiedName: qualify(element),
    isFlags: flag(element, "IsFlags", false),
    members: childrenNamed(element, "Member").map((member, index) => {
      const written = member.attributes.get("Value");
      const value = written === undefined ? index : Number(written);
      if (!Number.isInteger(value)) throw new CsdlError(`line ${member.line}: enum member value "${written}" is not an integer`);
      return { name: required(member, "Name"), value };
    }),
  }));
  const actions = childrenNamed(schema, "Action").map((element): CsdlAction => {
    const returns = childrenNamed(element, "ReturnType");
    if (returns.length > 1) throw new CsdlError(`line ${element.line}: more than one ReturnType`);
    return {
      name: required(element, "Name"),
      qualifiedName: qualify(element),
      isBound: flag(element, "IsBound", false),
      parameters: childrenNamed(element, "Parameter").map(property),
      returnType: returns[0] === undefined ? undefined : required(returns[0], "Type"),
    };
  });
  for (const action of actions) {
    if (action.isBound && action.parameters.length === 0) throw new CsdlError(`bound action ${action.qualifiedName} has no binding parameter`);
  }
  return {
    namespace,
    alias: schema.attributes.get("Alias"),
    structuredTypes,
    enumTypes,
    actions,
    navigationProperties: childrenNamed(schema, "NavigationProperty").map(property),
  };
}

/** Every Schema element of a CSDL document (a full `edmx:Edmx` file or an extract whose root is a Schema). */
export function readCsdlSchemas(xml: string): CsdlSchema[] {
  const schemas = descendants(readXmlElements(xml), "Schema");
  if (schemas.length === 0) throw new CsdlError("no <Schema> element");
  return schemas.map(readSchema);
}

const COLLECTION = /^Collection\((.+)\)$/;

/** Schemas merged: lookups by qualified name, aliases resolved, base types followed. */
export class CsdlModel {
  readonly #aliases = new Map<string, string>();
  readonly #structured = new Map<string, CsdlStructuredType>();
  readonly #enums = new Map<string, CsdlEnumType>();
  readonly #actions: CsdlAction[] = [];
  readonly navigationProperties: readonly CsdlProperty[];

  constructor(schemas: readonly CsdlSchema[]) {
    const namespaces = new Set(schemas.map((schema) => schema.namespace));
    for (const schema of schemas) {
      if (schema.alias === undefined) continue;
      const known = this.#aliases.get(schema.alias);
      if (known !== undefined && known !== schema.namespace) throw new CsdlError(`alias ${schema.alias} names both ${known} and ${schema.namespace}`);
      if (namespaces.has(schema.alias) && schema.alias !== schema.namespace) throw new CsdlError(`alias ${schema.alias} is also a namespace`);
      this.#aliases.set(schema.alias, schema.namespace);
    }
    const declare = <T extends { qualifiedName: string }>(into: Map<string, T>, items: readonly T[]): void => {
      for (const item of items) {
        if (this.#structured.has(item.qualifiedName) || this.#enums.has(item.qualifiedName)) throw new CsdlError(`type ${item.qualifiedName} is declared twice`);
        into.set(item.qualifiedName, item);
      }
    };
    for (const schema of schemas) {
      declare(this.#structured, schema.structuredTypes);
      declare(this.#enums, schema.enumTypes);
      this.#actions.push(...schema.actions);
    }
    this.navigationProperties = schemas.flatMap((schema) => schema.navigationProperties);
  }

  /** "graph.x" → "microsoft.graph.x"; qualified names and Edm types unchanged. */
  qualify(name: string): string {
    const dot = name.lastIndexOf(".");
    if (dot < 0) throw new CsdlError(`type name ${name} is not qualified`);
    const namespace = this.#aliases.get(name.slice(0, dot));
    return namespace === undefined ? name : `${namespace}${name.slice(dot)}`;
  }

  typeRef(written: string): TypeRef {
    const inner = COLLECTION.exec(written)?.[1];
    return { collection: inner !== undefined, name: this.qualify(inner ?? written) };
  }

  structuredType(name: string): CsdlStructuredType | undefined {
    return this.#structured.get(this.qualify(name));
  }

  enumType(name: string): CsdlEnumType | undefined {
    return this.#enums.get(this.qualify(name));
  }

  get structuredTypes(): readonly CsdlStructuredType[] {
    return [...this.#structured.values()];
  }

  get enumTypes(): readonly CsdlEnumType[] {
    return [...this.#enums.values()];
  }

  get actions(): readonly CsdlAction[] {
    return this.#actions;
  }

  /** The type and its base types, most derived first; a missing base type is an error (the extract lacks it). */
  lineage(name: string): CsdlStructuredType[] {
    const chain: CsdlStructuredType[] = [];
    for (let current: string | undefined = name; current !== undefined; ) {
      const type = this.structuredType(current);
      if (!type) throw new CsdlError(chain.length === 0 ? `no structured type ${current}` : `${chain[0]!.qualifiedName}: base type ${current} is not in the metadata`);
      if (chain.includes(type)) throw new CsdlError(`${type.qualifiedName}: its base types form a cycle`);
      chain.push(type);
      current = type.baseType;
    }
    return chain;
  }

  /** Structural properties, inherited ones included (a redeclared name is an error, as CSDL forbids it). */
  properties(name: string): Map<string, CsdlProperty> {
    const all = new Map<string, CsdlProperty>();
    for (const type of this.lineage(name).reverse()) {
      for (const item of type.properties) {
        if (all.has(item.name)) throw new CsdlError(`${type.qualifiedName}.${item.name} redeclares an inherited property`);
        all.set(item.name, item);
      }
    }
    return all;
  }

  navigationPropertyNames(name: string): Set<string> {
    return new Set(this.lineage(name).flatMap((type) => type.navigationProperties.map((item) => item.name)));
  }

  /** Whether `name` is `ancestor` or derives from it. */
  derivesFrom(name: string, ancestor: string): boolean {
    const target = this.qualify(ancestor);
    return this.lineage(name).some((type) => type.qualifiedName === target);
  }

  /** The action named `name` (unqualified) bound to `bindingType` ("Collection(graph.x)" or "graph.x"). */
  boundAction(name: string, bindingType: string): CsdlAction {
    const wanted = this.typeRef(bindingType);
    const found = this.#actions.filter((action) => {
      if (!action.isBound || action.name !== name) return false;
      const binding = this.typeRef(action.parameters[0]!.type);
      return binding.collection === wanted.collection && binding.name === wanted.name;
    });
    if (found.length !== 1) throw new CsdlError(`${found.length} actions ${name} bound to ${bindingType}`);
    return found[0]!;
  }
}
