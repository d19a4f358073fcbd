import { describe, expect, it } from "vitest";
import { describeChanges, fieldChanges, updateBody, wantedValues } from "../../src/update/changes.js";
import { countsLine, planTotals, updatePlanKey } from "../../src/update/summary.js";
import { emptyCounts, rowsNotDone } from "../../src/update/report.js";

describe("wantedValues", () => {
  it("takes the file's columns: an absent column leaves the field alone, an empty cell empties it", () => {
    expect(wantedValues({ groupTag: "", assignedUserPrincipalName: undefined, displayName: "PC-7" }, {})).toEqual({ groupTag: "", displayName: "PC-7" });
    expect(wantedValues({}, {})).toEqual({});
  });

  it("lets --set-* and --clear-* win over the file's column, and leaves the other columns as the file says", () => {
    expect(wantedValues({ groupTag: "File", assignedUserPrincipalName: "a@contoso.com" }, { groupTag: "" })).toEqual({ groupTag: "", userPrincipalName: "a@contoso.com" });
    expect(wantedValues({}, { displayName: "KIOSK-1", groupTag: undefined })).toEqual({ displayName: "KIOSK-1" });
  });
});

describe("fieldChanges", () => {
  const current = { groupTag: "Sales", userPrincipalName: "Ann@Contoso.com", displayName: null };

  it("compares group tag and display name exactly, the user without case; a field not wanted is not compared", () => {
    expect(fieldChanges({ groupTag: "sales", userPrincipalName: "ann@contoso.COM" }, current)).toEqual([{ field: "groupTag", from: "Sales", to: "sales" }]);
    expect(fieldChanges({ displayName: "" }, current)).toEqual([]);
    expect(fieldChanges({}, current)).toEqual([]);
  });

  it("treats null and absent current values as empty", () => {
    expect(fieldChanges({ groupTag: "", displayName: "PC-7" }, { groupTag: undefined, displayName: null })).toEqual([{ field: "displayName", from: "", to: "PC-7" }]);
  });

  it("lists changes in a fixed field order; the body holds only them; the report says old → new", () => {
    const changes = fieldChanges({ displayName: "PC-7", groupTag: "" }, current);
    expect(changes.map((change) => change.field)).toEqual(["groupTag", "displayName"]);
    expect(updateBody(changes)).toEqual({ groupTag: "", displayName: "PC-7" });
    expect(describeChanges(changes)).toBe("groupTag: 'Sales' → ''; displayName: '' → 'PC-7'");
  });
});

describe("update summary", () => {
  it("counts only statuses with rows, and sums those not done", () => {
    const counts = { ...emptyCounts(), updated: 2, unchanged: 5, not_found: 1, invalid: 1 };
    expect(countsLine(counts)).toBe("2 updated, 5 unchanged, 1 not_found, 1 invalid");
    expect(countsLine(emptyCounts())).toBe("no rows");
    expect(rowsNotDone(counts)).toBe(2);
    expect(planTotals({ ...emptyCounts(), would_update: 1 })).toBe("dry run: 1 device would be updated (1 would_update); nothing was written");
  });

  it("keys the journal by the values set: the same options resume, other values make another run", () => {
    expect(updatePlanKey({ groupTag: "A" })).toBe(updatePlanKey({ groupTag: "A", displayName: undefined }));
    expect(updatePlanKey({ groupTag: "A" })).not.toBe(updatePlanKey({ groupTag: "B" }));
    expect(updatePlanKey({ groupTag: "" })).not.toBe(updatePlanKey({}));
    // As the user wrote it: `status` shows it as the run's plan.
    expect(updatePlanKey({ displayName: "KIOSK-1", groupTag: "", userPrincipalName: "a@contoso.com" })).toBe('--clear-group-tag --set-user "a@contoso.com" --set-display-name "KIOSK-1"');
    expect(updatePlanKey({})).toBe("");
  });
});
