import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CsdlError, CsdlModel, readCsdlSchemas } from "./csdl.js";
import { METADATA_DIR, loadContract } from "./metadata.js";
import { XmlSyntaxError, readXmlElements } from "./xml-elements.js";

const read = (file: string): string => readFileSync(path.join(METADATA_DIR, file), "utf8");
const { v1, beta } = loadContract();

describe("readCsdlSchemas on Microsoft's Autopilot extract", () => {
  const [schema, ...others] = readCsdlSchemas(read("autopilot-v1.0.csdl.xml"));

  it("finds one microsoft.graph schema with every element the extract holds", () => {
    expect(others).toEqual([]);
    expect(schema!.namespace).toBe("microsoft.graph");
    expect(schema!.alias).toBeUndefined(); // the extract's Schema tag dropped it: entity-base.csdl.xml supplies it
    expect(schema!.structuredTypes.map((type) => `${type.kind} ${type.qualifiedName} < ${type.baseType}`)).toEqual([
      "EntityType microsoft.graph.importedWindowsAutopilotDeviceIdentity < graph.entity",
      "ComplexType microsoft.graph.importedWindowsAutopilotDeviceIdentityState < undefined",
      "EntityType microsoft.graph.windowsAutopilotDeviceIdentity < graph.entity",
      "EntityType microsoft.graph.importedWindowsAutopilotDeviceIdentityUpload < graph.entity",
    ]);
    expect(schema!.structuredTypes.map((type) => type.properties.length)).toEqual([7, 4, 16, 2]);
    expect(schema!.enumTypes.map((type) => type.qualifiedName)).toEqual([
      "microsoft.graph.importedWindowsAutopilotDeviceIdentityImportStatus",
      "microsoft.graph.enrollmentState",
      "microsoft.graph.importedWindowsAutopilotDeviceIdentityUploadStatus",
    ]);
    expect(schema!.actions.map((action) => `${action.name}(${action.parameters.map((p) => p.name).join(", ")})`)).toEqual([
      "assignUserToDevice(bindingParameter, userPrincipalName, addressableUserName)",
      "import(bindingParameter, importedWindowsAutopilotDeviceIdentities)",
      "unassignUserFromDevice(bindingParameter)",
      "updateDeviceProperties(bindingParameter, userPrincipalName, addressableUserName, groupTag, displayName)",
    ]);
    expect(schema!.navigationProperties).toEqual([
      { name: "importedWindowsAutopilotDeviceIdentities", type: "Collection(graph.importedWindowsAutopilotDeviceIdentity)", nullable: true },
      { name: "windowsAutopilotDeviceIdentities", type: "Collection(graph.windowsAutopilotDeviceIdentity)", nullable: true },
    ]);
  });

  it("reads property types and nullability as written", () => {
    const state = schema!.structuredTypes[1]!;
    expect(state.properties).toEqual([
      { name: "deviceErrorCode", type: "Edm.Int32", nullable: false },
      { name: "deviceErrorName", type: "Edm.String", nullable: true },
      { name: "deviceImportStatus", type: "graph.importedWindowsAutopilotDeviceIdentityImportStatus", nullable: false },
      { name: "deviceRegistrationId", type: "Edm.String", nullable: true },
    ]);
    const upload = schema!.structuredTypes[3]!;
    expect(upload.navigationProperties).toEqual([{ name: "deviceIdentities", type: "Collection(graph.importedWindowsAutopilotDeviceIdentity)", nullable: true }]);
    expect(schema!.enumTypes[0]!.members).toEqual([
      { name: "unknown", value: 0 },
      { name: "pending", value: 1 },
      { name: "partial", value: 2 },
      { name: "complete", value: 3 },
      { name: "error", value: 4 },
    ]);
    expect(schema!.actions[1]).toMatchObject({ isBound: true, returnType: "Collection(graph.importedWindowsAutopilotDeviceIdentity)" });
  });

  it("cannot resolve graph.entity without the base-type extract", () => {
    const alone = new CsdlModel(readCsdlSchemas(read("autopilot-v1.0.csdl.xml")));
    expect(() => alone.properties("microsoft.graph.windowsAutopilotDeviceIdentity")).toThrow(/base type graph\.entity is not in the metadata/);
  });
});

describe("the merged v1.0 model", () => {
  it("resolves the alias graph and inherits id from graph.entity", () => {
    expect(v1.qualify("graph.enrollmentState")).toBe("microsoft.graph.enrollmentState");
    expect(v1.qualify("Edm.Binary")).toBe("Edm.Binary");
    expect(v1.typeRef("Collection(graph.windowsAutopilotDeviceIdentity)")).toEqual({ collection: true, name: "microsoft.graph.windowsAutopilotDeviceIdentity" });
    expect(v1.lineage("graph.windowsAutopilotDeviceIdentity").map((type) => type.qualifiedName)).toEqual([
      "microsoft.graph.windowsAutopilotDeviceIdentity",
      "microsoft.graph.entity",
    ]);
    const staged = v1.properties("graph.importedWindowsAutopilotDeviceIdentity");
    expect([...staged.keys()]).toEqual(["id", "assignedUserPrincipalName", "groupTag", "hardwareIdentifier", "importId", "productKey", "serialNumber", "state"]);
    expect(staged.get("id")).toEqual({ name: "id", type: "Edm.String", nullable: false });
    expect(staged.get("hardwareIdentifier")?.type).toBe("Edm.Binary");
    expect(v1.derivesFrom("graph.importedWindowsAutopilotDeviceIdentityUpload", "graph.entity")).toBe(true);
    expect(v1.derivesFrom("graph.entity", "graph.windowsAutopilotDeviceIdentity")).toBe(false);
  });

  it("finds bound actions by name and binding type", () => {
    expect(v1.boundAction("import", "Collection(microsoft.graph.importedWindowsAutopilotDeviceIdentity)").parameters[1]).toEqual({
      name: "importedWindowsAutopilotDeviceIdentities",
      type: "Collection(graph.importedWindowsAutopilotDeviceIdentity)",
      nullable: true,
    });
    expect(() => v1.boundAction("import", "graph.importedWindowsAutopilotDeviceIdentity")).toThrow(/0 actions import/);
  });

  it("agrees with the beta mappings: every v1.0 property of these types is a beta property too", () => {
    for (const type of ["importedWindowsAutopilotDeviceIdentity", "windowsAutopilotDeviceIdentity", "importedWindowsAutopilotDeviceIdentityUpload"]) {
      const names = beta.types.get(`microsoft.graph.${type}`)!;
      const own = v1.structuredType(`graph.${type}`)!;
      expect(own.properties.map((p) => p.name).filter((name) => !names.properties.has(name)), type).toEqual([]);
      expect(own.navigationProperties.map((p) => p.name).filter((name) => !names.navigationProperties.has(name)), type).toEqual([]);
    }
    expect([...beta.types.get("microsoft.graph.windowsAutopilotSettings")!.properties]).toEqual(["lastManualSyncTriggerDateTime", "lastSyncDateTime", "syncStatus"]);
  });
});

const EDMX = (body: string): string => `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <!-- a comment with <Tags> inside -->
    <Schema Namespace="contoso.test" Alias="t" xmlns="http://docs.oasis-open.org/odata/ns/edm">${body}</Schema>
  </edmx:DataServices>
</edmx:Edmx>`;

describe("readCsdlSchemas on synthetic documents", () => {
  it("reads a full edmx file: quoting, entities, defaults, flags and derived types", () => {
    const [schema] = readCsdlSchemas(
      EDMX(`
      <EnumType Name='color' IsFlags="true"><Member Name="red" /><Member Name="blue" /></EnumType>
      <EntityType Name="base" Abstract="true"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.String" Nullable="false"/></EntityType>
      <EntityType Name="thing" BaseType="t.base" OpenType="true">
        <Property Name="note" Type="Edm.String"><Annotation Term="Core.Description" String="a &quot;quoted&quot; &lt;note&gt; &amp; more" /></Property>
        <Property Name="tags" Type="Collection(t.color)" Nullable="false" />
      </EntityType>`),
    );
    expect(schema!.alias).toBe("t");
    expect(schema!.enumTypes[0]).toEqual({ qualifiedName: "contoso.test.color", isFlags: true, members: [{ name: "red", value: 0 }, { name: "blue", value: 1 }] });
    const model = new CsdlModel([schema!]);
    expect(model.structuredType("t.thing")).toMatchObject({ openType: true, abstract: false, baseType: "t.base" });
    expect([...model.properties("contoso.test.thing").values()]).toEqual([
      { name: "id", type: "Edm.String", nullable: false },
      { name: "note", type: "Edm.String", nullable: true },
      { name: "tags", type: "Collection(t.color)", nullable: false },
    ]);
    const [root] = readXmlElements(EDMX(`<EntityType Name="x"><Property Name="a" Type="Edm.String"><Annotation Term="T" String="&#x41;&#66;&apos;" /></Property></EntityType>`));
    expect(root!.children[0]!.children[0]!.children[0]!.children[0]!.children[0]!.attributes.get("String")).toBe("AB'");
  });

  it.each([
    ["a mismatched end tag", "<Schema Namespace='n'><EntityType Name='a'></Schema>", XmlSyntaxError, /<\/Schema> closes <EntityType> of line 1/],
    ["an unclosed element", "<Schema Namespace='n'>\n<EntityType Name='a'>", XmlSyntaxError, /<EntityType> of line 2 is never closed/],
    ["a bare ampersand", "<Schema Namespace='a&b'/>", XmlSyntaxError, /bare '&'/],
    ["a DOCTYPE", "<!DOCTYPE x><Schema Namespace='n'/>", XmlSyntaxError, /not supported/],
    ["a repeated attribute", "<Schema Namespace='n' Namespace='m'/>", XmlSyntaxError, /repeated/],
    ["an unterminated comment", "<!-- <Schema/>", XmlSyntaxError, /unterminated comment/],
    ["no Schema at all", "<Edmx/>", CsdlError, /no <Schema>/],
    ["a Schema without Namespace", "<Schema/>", CsdlError, /has no Namespace/],
    ["a property without Type", "<Schema Namespace='n'><ComplexType Name='c'><Property Name='p'/></ComplexType></Schema>", CsdlError, /<Property> has no Type/],
    ["a Nullable that is no boolean", "<Schema Namespace='n'><ComplexType Name='c'><Property Name='p' Type='Edm.String' Nullable='no'/></ComplexType></Schema>", CsdlError, /Nullable="no" is not a boolean/],
    ["a bound action without parameters", "<Schema Namespace='n'><Action Name='go' IsBound='true'/></Schema>", CsdlError, /no binding parameter/],
  ])("refuses %s", (_what, xml, type, message) => {
    expect(() => readCsdlSchemas(xml)).toThrow(type);
    expect(() => readCsdlSchemas(xml)).toThrow(message);
  });

  it("refuses models that contradict themselves", () => {
    const schema = (body: string, alias = "") => readCsdlSchemas(`<Schema Namespace="n" ${alias}>${body}</Schema>`)[0]!;
    const type = (name: string, base = "", property = "p") => `<EntityType Name="${name}" ${base ? `BaseType="${base}"` : ""}><Property Name="${property}" Type="Edm.String"/></EntityType>`;
    expect(() => new CsdlModel([schema(type("a")), schema(type("a"))])).toThrow(/n\.a is declared twice/);
    expect(() => new CsdlModel([schema("", 'Alias="x"'), readCsdlSchemas('<Schema Namespace="m" Alias="x"/>')[0]!])).toThrow(/alias x names both n and m/);
    expect(() => new CsdlModel([schema(type("a", "n.b") + type("b", "n.a"))]).lineage("n.a")).toThrow(/cycle/);
    expect(() => new CsdlModel([schema(type("a") + type("b", "n.a"))]).properties("n.b")).toThrow(/n\.b\.p redeclares an inherited property/);
    expect(() => new CsdlModel([]).qualify("plain")).toThrow(/not qualified/);
  });
});
