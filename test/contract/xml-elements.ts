/**
 * A tiny XML element reader for CSDL: start, end and empty-element tags with quoted attributes, comments and
 * processing instructions. Text is skipped (CSDL carries its facts in attributes). Anything else XML allows but CSDL
 * files do not use (DOCTYPE, CDATA) is refused rather than misread, and so is every mismatched or unclosed tag.
 */

export interface XmlElement {
  /** The tag name as written, prefix included ("edmx:Edmx"). */
  readonly name: string;
  /** The name without its namespace prefix ("Edmx"). */
  readonly localName: string;
  readonly attributes: ReadonlyMap<string, string>;
  readonly children: XmlElement[];
  /** 1-based line of the start tag, for messages. */
  readonly line: number;
}

export class XmlSyntaxError extends Error {
  override readonly name = "XmlSyntaxError";
}

const NAME = /[A-Za-z_][\w.:-]*/y;
const ATTRIBUTE = /\s+([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/y;
const TAG_END = /\s*(\/?)>/y;
const ENTITY = /&(?:#x([0-9A-Fa-f]+)|#(\d+)|(lt|gt|amp|quot|apos));/g;
const BARE_AMPERSAND = /&(?!(?:#x[0-9A-Fa-f]+|#\d+|lt|gt|amp|quot|apos);)/;
const NAMED: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

function decode(value: string, line: number): string {
  if (BARE_AMPERSAND.test(value)) throw new XmlSyntaxError(`line ${line}: a bare '&' in an attribute value`);
  return value.replace(ENTITY, (_match, hex: string | undefined, dec: string | undefined, named: string | undefined) =>
    named !== undefined ? NAMED[named]! : String.fromCodePoint(Number.parseInt(hex ?? dec!, hex !== undefined ? 16 : 10)),
  );
}

function match(pattern: RegExp, text: string, at: number): RegExpExecArray | null {
  pattern.lastIndex = at;
  return pattern.exec(text);
}

/** Reads a document into its top-level elements (a CSDL extract may hold one Schema; a full file one edmx:Edmx). */
export function readXmlElements(text: string): XmlElement[] {
  const roots: XmlElement[] = [];
  const open: XmlElement[] = [];
  let line = 1;
  let at = 0;
  const advanceTo = (next: number): void => {
    for (let i = at; i < next; i++) if (text.charCodeAt(i) === 10) line += 1;
    at = next;
  };
  const skipPast = (terminator: string, what: string): void => {
    const end = text.indexOf(terminator, at);
    if (end < 0) throw new XmlSyntaxError(`line ${line}: unterminated ${what}`);
    advanceTo(end + terminator.length);
  };
  while (at < text.length) {
    const lt = text.indexOf("<", at);
    if (lt < 0) {
      advanceTo(text.length);
      break;
    }
    advanceTo(lt);
    if (text.startsWith("<!--", at)) skipPast("-->", "comment");
    else if (text.startsWith("<?", at)) skipPast("?>", "processing instruction");
    else if (text.startsWith("<!", at)) throw new XmlSyntaxError(`line ${line}: DOCTYPE and CDATA are not supported`);
    else if (text.startsWith("</", at)) {
      const name = match(NAME, text, at + 2)?.[0];
      const end = name === undefined ? null : match(TAG_END, text, at + 2 + name.length);
      if (name === undefined || !end || end[1] === "/") throw new XmlSyntaxError(`line ${line}: malformed end tag`);
      const element = open.pop();
      if (element?.name !== name) throw new XmlSyntaxError(`line ${line}: </${name}> closes ${element ? `<${element.name}> of line ${element.line}` : "nothing"}`);
      advanceTo(at + 2 + name.length + end[0].length);
    } else {
      const name = match(NAME, text, at + 1)?.[0];
      if (name === undefined) throw new XmlSyntaxError(`line ${line}: malformed start tag`);
      const startLine = line;
      let cursor = at + 1 + name.length;
      const attributes = new Map<string, string>();
      for (let attribute = match(ATTRIBUTE, text, cursor); attribute; attribute = match(ATTRIBUTE, text, cursor)) {
        const [whole, key, double, single] = attribute;
        if (attributes.has(key!)) throw new XmlSyntaxError(`line ${startLine}: attribute ${key} repeated on <${name}>`);
        attributes.set(key!, decode(double ?? single!, startLine));
        cursor += whole.length;
      }
      const end = match(TAG_END, text, cursor);
      if (!end) throw new XmlSyntaxError(`line ${startLine}: malformed attributes on <${name}>`);
      const element: XmlElement = { name, localName: name.slice(name.indexOf(":") + 1), attributes, children: [], line: startLine };
      (open.at(-1)?.children ?? roots).push(element);
      if (end[1] !== "/") open.push(element);
      advanceTo(cursor + end[0].length);
    }
  }
  const unclosed = open.at(-1);
  if (unclosed) throw new XmlSyntaxError(`<${unclosed.name}> of line ${unclosed.line} is never closed`);
  return roots;
}

/** Every element named `localName` at any depth, in document order. */
export function descendants(elements: readonly XmlElement[], localName: string): XmlElement[] {
  return elements.flatMap((element) => [...(element.localName === localName ? [element] : []), ...descendants(element.children, localName)]);
}
