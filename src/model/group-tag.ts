import { accept, reject, type FieldCheck } from "./field-check.js";
import { GROUP_TAG_MAX_LENGTH } from "./limits.js";
import { describeCharacter } from "./printable.js";

// eslint-disable-next-line no-control-regex -- control characters are what is rejected
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Optional free text (accents allowed), without control characters, of sane length. */
export function checkGroupTag(raw: string): FieldCheck<string | undefined> {
  const value = raw.trim();
  if (value.length === 0) return accept(undefined);
  if (value.length > GROUP_TAG_MAX_LENGTH) {
    return reject("group_tag_too_long", `is ${value.length} characters long; the maximum is ${GROUP_TAG_MAX_LENGTH}`);
  }
  const at = value.search(CONTROL);
  if (at !== -1) {
    return reject("group_tag_not_printable", `contains the control character ${describeCharacter(value[at] as string)} at position ${at + 1}`);
  }
  return accept(value);
}
