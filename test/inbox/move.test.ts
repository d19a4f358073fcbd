/** Move plans: durable before the first rename, carried out at most once per move, finished by the next job. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { carryOutMoves, pendingPlans, planPath, retirePlan, writePlan, type MovePlan } from "../../src/inbox/move.js";
import { list, makeInbox } from "./helpers.js";

const KEY = "0123456789abcdef";

function setup(): { root: string; inbox: string; done: string; work: string; plan: MovePlan } {
  const { root, inbox } = makeInbox("move");
  const done = path.join(root, "done");
  const work = path.join(root, ".autopilot-import", "inbox");
  mkdirSync(done);
  mkdirSync(work, { recursive: true });
  writeFileSync(path.join(work, `${KEY}.report.csv`), "report");
  writeFileSync(path.join(inbox, "devices.csv"), "devices");
  const plan: MovePlan = {
    version: 1,
    key: KEY,
    name: "devices.csv",
    outcome: "done",
    moves: [
      { from: path.join(work, `${KEY}.report.csv`), to: path.join(done, "devices.csv.report.csv") },
      { from: path.join(inbox, "devices.csv"), to: path.join(done, "devices.csv") },
    ],
  };
  return { root, inbox, done, work, plan };
}

const noVariant = (to: string): string => {
  throw new Error(`no free variant expected for ${to}`);
};

describe("move plans", () => {
  it("a plan is written whole and read back; the moves happen in order", () => {
    const { inbox, done, work, plan } = setup();
    const file = writePlan(work, plan);
    expect(file).toBe(planPath(work, KEY));
    expect(list(work)).toEqual([`${KEY}.move.json`, `${KEY}.report.csv`]); // no temp file left
    expect(pendingPlans(work)).toEqual([{ file, plan }]);
    expect(carryOutMoves(plan, noVariant)).toEqual([path.join(done, "devices.csv.report.csv"), path.join(done, "devices.csv")]);
    expect(list(done)).toEqual(["devices.csv", "devices.csv.report.csv"]);
    expect(list(inbox)).toEqual([]);
    expect(readFileSync(path.join(done, "devices.csv"), "utf8")).toBe("devices");
  });

  it("carrying a plan out again (a crash after some moves) moves only what is left", () => {
    const { inbox, done, plan } = setup();
    carryOutMoves({ ...plan, moves: plan.moves.slice(0, 1) }, noVariant); // died after the report
    expect(list(inbox)).toEqual(["devices.csv"]);
    expect(carryOutMoves(plan, noVariant)).toEqual([path.join(done, "devices.csv.report.csv"), path.join(done, "devices.csv")]);
    expect(carryOutMoves(plan, noVariant)).toEqual([path.join(done, "devices.csv.report.csv"), path.join(done, "devices.csv")]);
    expect(list(done)).toEqual(["devices.csv", "devices.csv.report.csv"]);
  });

  it("a target someone else created meanwhile is never overwritten: the source goes to a free variant", () => {
    const { done, plan } = setup();
    writeFileSync(path.join(done, "devices.csv"), "someone else's");
    const targets = carryOutMoves(plan, (to) => `${to}.2`);
    expect(targets[1]).toBe(path.join(done, "devices.csv.2"));
    expect(readFileSync(path.join(done, "devices.csv"), "utf8")).toBe("someone else's");
    expect(readFileSync(path.join(done, "devices.csv.2"), "utf8")).toBe("devices");
  });

  it("a move whose source and target are both missing is reported lost (undefined), not an error", () => {
    const { work, plan } = setup();
    const lost = { ...plan, moves: [{ from: path.join(work, "gone"), to: path.join(work, "nowhere") }] };
    expect(carryOutMoves(lost, noVariant)).toEqual([undefined]);
  });

  it("retiring a plan runs `after` first, then removes the plan; an unreadable plan is listed as such", () => {
    const { work, plan } = setup();
    const file = writePlan(work, plan);
    const calls: string[] = [];
    retirePlan(file, () => calls.push(existsSync(file) ? "after, plan still there" : "after, plan gone"));
    expect(calls).toEqual(["after, plan still there"]);
    expect(existsSync(file)).toBe(false);
    retirePlan(file, () => undefined); // again: nothing to remove
    writeFileSync(planPath(work, "fedcba9876543210"), "{torn");
    expect(pendingPlans(work)).toEqual([{ file: planPath(work, "fedcba9876543210"), plan: undefined }]);
  });
});
