/** Share of control characters above which a head of text is taken for binary data. */
const MAX_CONTROL_SHARE = 0.01;

// eslint-disable-next-line no-control-regex -- counting control characters is the point
const CONTROL = /[\u0001-\u0008\u000b\u000e-\u001f\u007f]/g;

/**
 * Whether decoded text is binary data rather than CSV: any NUL (also what UTF-16 without a byte-order mark looks
 * like), or more than 1% control characters other than tab, line breaks and form feed.
 */
export function describeBinary(text: string): string | undefined {
  if (text.includes("\u0000")) {
    return "the file contains NUL bytes: it is binary, or UTF-16 text without a byte-order mark (save it as UTF-8)";
  }
  const controls = text.match(CONTROL)?.length ?? 0;
  if (controls > 0 && controls >= text.length * MAX_CONTROL_SHARE) {
    return "the file contains binary data, not CSV text";
  }
  return undefined;
}
