import { describe, expect, it } from "vitest";
import { planSplit, rejectedLiteral } from "../../src/pipeline/split.js";
import type { PendingDevice } from "../../src/pipeline/types.js";

function device(serial: string, hash: string): PendingDevice {
  return { location: { file: "a.csv", line: 2 }, device: { serialNumber: serial, hardwareIdentifier: hash } };
}

const devices = [device("A", "QUFB"), device("B", "QkJC"), device("C", "Q0ND"), device("D", "RERE"), device("E", "RUVF")];
const edm = (literal: string) => `Cannot convert the literal '${literal}' to the expected type 'Edm.Binary'.`;

describe("rejectedLiteral", () => {
  it("extracts the literal from Graph's Edm.Binary message", () => {
    expect(rejectedLiteral(edm("QkJC"))).toBe("QkJC");
    expect(rejectedLiteral("Request is too large")).toBeUndefined();
  });
});

describe("planSplit", () => {
  it("isolates the device whose hash the message names", () => {
    const plan = planSplit(devices, edm("Q0ND"));
    expect(plan.kind).toBe("isolate");
    if (plan.kind !== "isolate") return;
    expect(plan.culprits.map((d) => d.device.serialNumber)).toEqual(["C"]);
    expect(plan.rest.map((d) => d.device.serialNumber)).toEqual(["A", "B", "D", "E"]);
  });

  it("matches a literal Graph shortened with an ellipsis by prefix", () => {
    const long = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldY";
    const set = [device("A", "QUFB"), device("L", long)];
    const plan = planSplit(set, edm(`${long.slice(0, 20)}...`));
    expect(plan.kind === "isolate" && plan.culprits.map((d) => d.device.serialNumber)).toEqual(["L"]);
  });

  it("bisects when the message names no row of this set", () => {
    const plan = planSplit(devices, edm("bm90IGhlcmU"));
    expect(plan.kind).toBe("bisect");
    if (plan.kind !== "bisect") return;
    expect(plan.halves.map((h) => h.map((d) => d.device.serialNumber))).toEqual([
      ["A", "B", "C"],
      ["D", "E"],
    ]);
  });

  it("bisects on any other 400", () => {
    expect(planSplit(devices, "The request is invalid").kind).toBe("bisect");
  });

  it("fails a single device outright", () => {
    const plan = planSplit([devices[0]!], "The request is invalid");
    expect(plan).toEqual({ kind: "fail", culprits: [devices[0]] });
  });

  it("isolates every poison row in O(k log n) submissions by bisection", () => {
    const many = Array.from({ length: 64 }, (_, i) => device(`S${i}`, `H${i}`));
    const poison = new Set(["S5", "S40"]);
    let submissions = 0;
    const failed: string[] = [];
    const accepted: string[] = [];
    const submit = (set: readonly PendingDevice[]): void => {
      submissions += 1;
      if (!set.some((d) => poison.has(d.device.serialNumber))) {
        accepted.push(...set.map((d) => d.device.serialNumber));
        return;
      }
      const plan = planSplit(set, "The request is invalid");
      if (plan.kind === "fail") failed.push(...plan.culprits.map((d) => d.device.serialNumber));
      else if (plan.kind === "bisect") plan.halves.forEach(submit);
      else throw new Error("unexpected isolate");
    };
    submit(many);
    expect(failed.sort()).toEqual(["S40", "S5"]);
    expect(accepted).toHaveLength(62);
    expect(submissions).toBeLessThanOrEqual(1 + 2 * 2 * Math.log2(64));
  });
});
