/**
 * A small, strict XML reader for manifests: it builds a tree of elements with namespaces resolved and
 * refuses any document type declaration, so no entity (internal or external) is ever expanded.
 * That rules out billion-laughs and external-entity attacks by construction rather than by parser flags.
 */
import { SaxesParser } from 'saxes';

export interface XmlElement {
  /** Local name, without prefix. */
  readonly name: string;
  /** Namespace URI, or '' when the element has none. */
  readonly namespace: string;
  /** Attributes by local name (nuspec attributes are never namespaced). */
  readonly attributes: ReadonlyMap<string, string>;
  readonly children: readonly XmlElement[];
  /** Concatenated text and CDATA directly inside this element. */
  readonly text: string;
}

export class XmlSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlSyntaxError';
  }
}

interface MutableElement {
  name: string;
  namespace: string;
  attributes: Map<string, string>;
  children: MutableElement[];
  text: string;
}

export function parseXml(text: string): XmlElement {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: MutableElement[] = [];
  let root: MutableElement | undefined;
  let failure: string | undefined;

  const fail = (message: string) => {
    failure ??= message;
  };

  parser.on('doctype', () => fail('a DOCTYPE declaration is not allowed (entities are never expanded)'));
  parser.on('error', (error) => fail(error.message));
  parser.on('opentag', (tag) => {
    const attributes = new Map<string, string>();
    for (const attribute of Object.values(tag.attributes)) {
      if (typeof attribute === 'string') continue;
      if (attribute.prefix === 'xmlns' || attribute.name === 'xmlns') continue;
      attributes.set(attribute.local, attribute.value);
    }
    const element: MutableElement = { name: tag.local ?? tag.name, namespace: tag.uri ?? '', attributes, children: [], text: '' };
    const parent = stack.at(-1);
    if (parent) parent.children.push(element);
    else root ??= element;
    stack.push(element);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  const appendText = (value: string) => {
    const current = stack.at(-1);
    if (current) current.text += value;
  };
  parser.on('text', appendText);
  parser.on('cdata', appendText);

  try {
    parser.write(text).close();
  } catch (error) {
    fail((error as Error).message);
  }
  if (failure !== undefined) throw new XmlSyntaxError(failure);
  if (!root) throw new XmlSyntaxError('the document has no root element');
  return root;
}

/** Direct children with this local name, in document order. */
export function childElements(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((child) => child.name === name);
}
