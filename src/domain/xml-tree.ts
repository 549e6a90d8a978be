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

/** Well-formed, maybe, but past one of XML_LIMITS. */
export class XmlLimitError extends XmlSyntaxError {
  constructor(message: string) {
    super(message);
    this.name = 'XmlLimitError';
  }
}

/**
 * Bounds on a manifest's shape, checked as the parser goes so a hostile document is refused at the first
 * element past a bound. Parse cost is linear in the text only within them: the parser resolves names
 * against the open elements, so unbounded nesting makes it quadratic (8,000 levels took 0.8 s, and a
 * megabyte of nesting minutes). A real nuspec nests 5 deep and holds a few hundred elements.
 */
export const XML_LIMITS = {
  maxDepth: 32,
  maxElements: 10_000,
  maxAttributesPerElement: 32,
  maxNameLength: 256,
  maxAttributeValueLength: 8 * 1024,
  /** Text directly inside one element; nuget.org's longest field (releaseNotes) allows 35,000 characters. */
  maxTextLength: 128 * 1024,
} as const;

interface MutableElement {
  name: string;
  namespace: string;
  attributes: Map<string, string>;
  children: MutableElement[];
  text: string;
}

/** Parses the whole document; throws XmlSyntaxError at the first problem, without reading further. */
export function parseXml(text: string): XmlElement {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: MutableElement[] = [];
  let root: MutableElement | undefined;
  let elementCount = 0;

  // Throwing out of a handler stops the parser at once; a document is never read past its first problem.
  const refuse = (message: string): never => {
    throw new XmlLimitError(message);
  };

  parser.on('doctype', () => {
    throw new XmlSyntaxError('a DOCTYPE declaration is not allowed (entities are never expanded)');
  });
  parser.on('error', (error) => {
    throw new XmlSyntaxError(error.message);
  });
  parser.on('opentagstart', (tag) => {
    elementCount += 1;
    if (elementCount > XML_LIMITS.maxElements) refuse(`the document has more than ${XML_LIMITS.maxElements} elements`);
    if (stack.length >= XML_LIMITS.maxDepth) refuse(`elements are nested more than ${XML_LIMITS.maxDepth} levels deep`);
    if (tag.name.length > XML_LIMITS.maxNameLength) refuse(`an element name is longer than ${XML_LIMITS.maxNameLength} characters`);
  });
  let attributeCount = 0;
  parser.on('attribute', (attribute) => {
    attributeCount += 1;
    if (attributeCount > XML_LIMITS.maxAttributesPerElement) {
      refuse(`an element has more than ${XML_LIMITS.maxAttributesPerElement} attributes`);
    }
    if (attribute.name.length > XML_LIMITS.maxNameLength) refuse(`an attribute name is longer than ${XML_LIMITS.maxNameLength} characters`);
    if (attribute.value.length > XML_LIMITS.maxAttributeValueLength) {
      refuse(`the value of attribute '${attribute.name}' is longer than ${XML_LIMITS.maxAttributeValueLength} characters`);
    }
  });
  parser.on('opentag', (tag) => {
    attributeCount = 0;
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
    if (!current) return;
    if (current.text.length + value.length > XML_LIMITS.maxTextLength) {
      refuse(`the text of <${current.name}> is longer than ${XML_LIMITS.maxTextLength} characters`);
    }
    current.text += value;
  };
  parser.on('text', appendText);
  parser.on('cdata', appendText);

  try {
    parser.write(text).close();
  } catch (error) {
    if (error instanceof XmlSyntaxError) throw error;
    throw new XmlSyntaxError((error as Error).message);
  }
  if (!root) throw new XmlSyntaxError('the document has no root element');
  return root;
}

/** Direct children with this local name, in document order. */
export function childElements(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((child) => child.name === name);
}
