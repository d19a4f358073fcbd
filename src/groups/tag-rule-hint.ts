/** The dynamic device group rule that catches devices by group tag (Autopilot writes the tag as an [OrderID] physical id). */

const MAX_TAGS_SHOWN = 5;

export function tagRule(tag: string): string {
  return `(device.devicePhysicalIds -any (_ -eq "[OrderID]:${tag.replaceAll('"', '\\"')}"))`;
}

/** One hint line for the distinct non-empty tags; undefined when there is none. */
export function tagRuleHint(tags: Iterable<string>): string | undefined {
  const distinct = [...new Set([...tags].filter((tag) => tag !== ""))];
  if (distinct.length === 0) return undefined;
  const shown = distinct.slice(0, MAX_TAGS_SHOWN).map((tag) => `'${tag}': ${tagRule(tag)}`);
  const more = distinct.length > MAX_TAGS_SHOWN ? ` (and ${distinct.length - MAX_TAGS_SHOWN} more tags)` : "";
  return `hint: a dynamic device group with this membership rule takes these devices in by group tag: ${shown.join("; ")}${more}`;
}
