function codePoint(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** Shows a character in a message so that a person can see it, even when it is invisible or a control. */
export function describeCharacter(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  if (char === " ") return "' ' (space)";
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0xfffd || code === 0xfeff) {
    return codePoint(code);
  }
  return code > 0x7e ? `'${char}' (${codePoint(code)})` : `'${char}'`;
}

/** Quotes a value from the file for a one-line message: control characters escaped, long values shortened. */
export function quoteValue(value: string, max = 60): string {
  // eslint-disable-next-line no-control-regex -- escaping control characters is the point
  const visible = value.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  const short = visible.length > max ? `${visible.slice(0, max - 1)}…` : visible;
  return `'${short}'`;
}
