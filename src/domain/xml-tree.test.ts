import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseXml, XML_LIMITS, XmlLimitError, XmlSyntaxError } from './xml-tree.ts';
import { bestOfThreeMs } from '../../test/support/timing.ts';


function refusal(text: string): string {
  try {
    parseXml(text);
  } catch (error) {
    assert.ok(error instanceof XmlSyntaxError, `expected XmlSyntaxError, got ${String(error)}`);
    return error.message;
  }
  assert.fail('the document was accepted');
}

const MEBIBYTE = 1024 * 1024;

/** Hostile shapes, each about a megabyte (the nuspec cap), each past one bound. */
const HOSTILE_DOCUMENTS: [string, string, RegExp][] = [
  ['deep nesting', '<a>'.repeat(MEBIBYTE / 3) + '</a>'.repeat(MEBIBYTE / 4), /nested more than 32 levels deep/],
  ['deep nesting with namespaces', '<a xmlns:p="u">' + '<p:b>'.repeat(MEBIBYTE / 5), /nested more than 32 levels deep/],
  ['many elements', `<a>${'<b/>'.repeat(MEBIBYTE / 4)}</a>`, /more than 10000 elements/],
  ['many attributes', `<a ${Array.from({ length: MEBIBYTE / 12 }, (_, i) => `a${i}="1"`).join(' ')}/>`, /more than 32 attributes/],
  ['many namespace declarations', `<a ${Array.from({ length: MEBIBYTE / 16 }, (_, i) => `xmlns:p${i}="u"`).join(' ')}/>`, /more than 32 attributes/],
  ['a long element name', `<${'n'.repeat(MEBIBYTE)}/>`, /element name is longer than 256/],
  ['a long attribute value', `<a v="${'x'.repeat(MEBIBYTE)}"/>`, /value of attribute 'v' is longer than 8192/],
  ['a long text', `<a>${'x'.repeat(MEBIBYTE)}</a>`, /text of <a> is longer than 131072/],
  ['long text in many pieces', `<a>${'x<!---->'.repeat(MEBIBYTE / 8 + 10)}</a>`, /text of <a> is longer than 131072/],
  ['a DOCTYPE with entities', `<!DOCTYPE a [<!ENTITY e "${'x'.repeat(1000)}">]><a>${'&e;'.repeat(1000)}</a>`, /DOCTYPE declaration is not allowed/],
];

describe('parseXml bounds', () => {
  for (const [shape, text, message] of HOSTILE_DOCUMENTS) {
    it(`refuses ${shape} at once`, () => {
      assert.match(refusal(text), message);
      if (shape !== 'a DOCTYPE with entities') assert.throws(() => parseXml(text), XmlLimitError);
      // Refused at the first element past the bound. Without the bounds a megabyte of these took minutes;
      // the limit here is loose enough for a busy machine and still far below that.
      const elapsed = bestOfThreeMs(() => assert.throws(() => parseXml(text), XmlSyntaxError));
      assert.ok(elapsed < 2000, `${shape} took ${elapsed.toFixed(1)} ms`);
    });
  }

  it('accepts documents right at every bound', () => {
    const deep = '<a>'.repeat(XML_LIMITS.maxDepth) + '</a>'.repeat(XML_LIMITS.maxDepth);
    assert.equal(parseXml(deep).name, 'a');
    const wide = `<a>${'<b/>'.repeat(XML_LIMITS.maxElements - 1)}</a>`;
    assert.equal(parseXml(wide).children.length, XML_LIMITS.maxElements - 1);
    const attributes = Array.from({ length: XML_LIMITS.maxAttributesPerElement }, (_, i) => `a${i}="${'v'.repeat(XML_LIMITS.maxAttributeValueLength)}"`).join(' ');
    assert.equal(parseXml(`<a ${attributes}/>`).attributes.size, XML_LIMITS.maxAttributesPerElement);
    assert.equal(parseXml(`<a>${'t'.repeat(XML_LIMITS.maxTextLength)}</a>`).text.length, XML_LIMITS.maxTextLength);
  });

  it('counts attributes per element, not per document', () => {
    const element = `<b ${Array.from({ length: XML_LIMITS.maxAttributesPerElement }, (_, i) => `a${i}="1"`).join(' ')}/>`;
    assert.equal(parseXml(`<a>${element.repeat(50)}</a>`).children.length, 50);
  });

  it('reports the first syntax error and stops', () => {
    assert.match(refusal('<a><b></a>'), /unexpected close tag|mismatched/i);
    assert.match(refusal(''), /no root element|document/i);
  });
});
