// A strict, small XML reader for the metadata files we generate: prolog, nested elements,
// attributes on the root, text with the five predefined entities. Anything else (a stray `<` or
// `&`, mismatched or unclosed tags, text outside the root) throws — that is what "well-formed"
// means for these files.

export type XmlElement = {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  readonly text: string;
};

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&([a-z]+);|&/g, (match, name: string | undefined) => {
    const value = name === undefined ? undefined : entities[name];
    if (value === undefined) throw new Error(`bad entity near ${match}`);
    return value;
  });
}

export function parseXml(source: string): XmlElement {
  let rest = source.replace(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n/, '');
  if (rest === source) throw new Error('missing XML declaration');
  const stack: {
    name: string;
    attributes: Record<string, string>;
    children: XmlElement[];
    text: string;
  }[] = [];
  let root: XmlElement | undefined;
  while (rest.length > 0) {
    if (rest.startsWith('<')) {
      const tag = /^<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w:.-]+="[^"<&]*")*)\s*>/.exec(rest);
      if (tag === null) throw new Error(`malformed tag near ${rest.slice(0, 30)}`);
      rest = rest.slice(tag[0].length);
      const [, closing, name = '', rawAttributes = ''] = tag;
      if (closing === '/') {
        const open = stack.pop();
        if (open === undefined || open.name !== name) throw new Error(`mismatched </${name}>`);
        const element: XmlElement = {
          ...open,
          text: open.children.length > 0 ? '' : decode(open.text),
        };
        const parent = stack.at(-1);
        if (parent === undefined) {
          if (root !== undefined) throw new Error('two root elements');
          root = element;
        } else parent.children.push(element);
        continue;
      }
      if (root !== undefined) throw new Error('content after the root element');
      const attributes: Record<string, string> = {};
      for (const match of rawAttributes.matchAll(/([\w:.-]+)="([^"]*)"/g)) {
        attributes[match[1] ?? ''] = match[2] ?? '';
      }
      stack.push({ name, attributes, children: [], text: '' });
      continue;
    }
    const next = rest.indexOf('<');
    const text = next === -1 ? rest : rest.slice(0, next);
    rest = next === -1 ? '' : rest.slice(next);
    const open = stack.at(-1);
    if (open === undefined) {
      if (text.trim() !== '') throw new Error('text outside the root element');
      continue;
    }
    if (text.includes('>')) throw new Error('unescaped > in text');
    open.text += text;
  }
  if (stack.length > 0 || root === undefined) throw new Error('unclosed element');
  return root;
}

/** The text of the first child named `name`. */
export function childText(element: XmlElement, name: string): string | undefined {
  return element.children.find((child) => child.name === name)?.text;
}
