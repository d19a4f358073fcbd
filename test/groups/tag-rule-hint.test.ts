import { describe, expect, it } from "vitest";
import { tagRule, tagRuleHint } from "../../src/groups/tag-rule-hint.js";
import { GroupTally } from "../../src/groups/add-to-groups.js";

describe("the group tag's dynamic rule", () => {
  it("is Autopilot's [OrderID] physical id, quotes escaped", () => {
    expect(tagRule("Sales")).toBe('(device.devicePhysicalIds -any (_ -eq "[OrderID]:Sales"))');
    expect(tagRule('Lab "B"')).toBe('(device.devicePhysicalIds -any (_ -eq "[OrderID]:Lab \\"B\\""))');
  });

  it("one hint line for the distinct tags, none without a tag, at most five shown", () => {
    expect(tagRuleHint(["", ""])).toBeUndefined();
    expect(tagRuleHint(["Sales", "", "Sales"])).toBe(
      "hint: a dynamic device group with this membership rule takes these devices in by group tag: 'Sales': (device.devicePhysicalIds -any (_ -eq \"[OrderID]:Sales\"))",
    );
    const many = tagRuleHint(["a", "b", "c", "d", "e", "f", "g"])!;
    expect(many.split("; ")).toHaveLength(5);
    expect(many.endsWith("(and 2 more tags)")).toBe(true);
  });
});

describe("GroupTally", () => {
  it("tells pairs by outcome, and the devices with a failure", () => {
    const tally = new GroupTally();
    expect(tally.line()).toBe("groups: 0 added, 0 already members");
    Object.assign(tally, { added: 3, alreadyMember: 1, failed: 2, devicesFailed: 1 });
    expect(tally.line()).toBe("groups: 3 added, 1 already member, 2 failed (1 device: see the report's groups column)");
    expect(JSON.parse(JSON.stringify(tally))).toEqual({ added: 3, alreadyMember: 1, failed: 2, devicesFailed: 1 });
  });
});
