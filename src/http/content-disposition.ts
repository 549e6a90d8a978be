/**
 * Parses header values of the form `value; name=token; name="quoted \"string\""`, as Content-Type and
 * Content-Disposition carry them (RFC 9110 §5.6.6 parameters, RFC 6266 / RFC 7578 §4.2 for
 * Content-Disposition, RFC 8187 for `filename*`).
 * https://www.rfc-editor.org/rfc/rfc7578#section-4.2
 *
 * The parser is lenient on purpose: it reads what real clients send (.NET writes unquoted
 * `filename=package.nupkg; filename*=utf-8''package.nupkg`, browsers quote and may leave raw UTF-8 in
 * the value), and never throws; a value it cannot make sense of simply yields fewer parameters.
 */

export interface ParameterizedHeader {
  /** The part before the first `;`, trimmed and lowercased (`multipart/form-data`, `form-data`). */
  readonly value: string;
  /** Parameter names lowercased; quoted values unescaped; the first occurrence of a name wins. */
  readonly parameters: ReadonlyMap<string, string>;
}

export interface ContentDisposition extends ParameterizedHeader {
  /** The `name` parameter (the form field name), if any. */
  readonly name: string | undefined;
  /**
   * The file name: `filename*` decoded when it is valid RFC 8187 UTF-8 or ISO-8859-1, else `filename`,
   * else `filename*` as sent. Defined exactly when the disposition has either parameter, which is what
   * marks a part as a file (RFC 7578 §4.2).
   */
  readonly filename: string | undefined;
}

const SEMICOLON = 0x3b;
const EQUALS = 0x3d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

export function parseParameterizedHeader(header: string): ParameterizedHeader {
  const firstSemicolon = header.indexOf(';');
  const value = (firstSemicolon === -1 ? header : header.slice(0, firstSemicolon)).trim().toLowerCase();
  const parameters = firstSemicolon === -1 ? new Map<string, string>() : parseParameters(header, firstSemicolon + 1);
  return { value, parameters };
}

export function parseContentDisposition(header: string): ContentDisposition {
  const { value, parameters } = parseParameterizedHeader(header);
  const extended = parameters.get('filename*');
  const filename = (extended === undefined ? undefined : decodeExtendedValue(extended)) ?? parameters.get('filename') ?? extended;
  return { value, parameters, name: parameters.get('name'), filename };
}

/**
 * Decodes an RFC 8187 ext-value, `charset'[language]'percent-encoded`; undefined when it is not one, or
 * its charset is neither UTF-8 nor ISO-8859-1 (the two the RFC names), or its bytes are not valid UTF-8.
 */
export function decodeExtendedValue(extValue: string): string | undefined {
  const match = /^([A-Za-z0-9!#$%&+^_`{}~-]+)'[A-Za-z0-9-]*'(.*)$/s.exec(extValue);
  if (match === null) return undefined;
  const charset = (match[1] ?? '').toLowerCase();
  const bytes = percentDecode(match[2] ?? '');
  if (bytes === undefined) return undefined;
  if (charset === 'iso-8859-1') return bytes.toString('latin1');
  if (charset !== 'utf-8') return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function percentDecode(encoded: string): Buffer | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < encoded.length; i++) {
    const code = encoded.charCodeAt(i);
    if (code === 0x25 /* % */) {
      const hex = encoded.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else if (code < 0x80) {
      bytes.push(code);
    } else {
      return undefined; // an ext-value is ASCII only
    }
  }
  return Buffer.from(bytes);
}

/** Reads `; name=value` pairs from `start`; a `;` inside a quoted value does not end it. */
function parseParameters(header: string, start: number): Map<string, string> {
  const parameters = new Map<string, string>();
  let i = start;
  while (i < header.length) {
    const nameEnd = indexOfEither(header, EQUALS, SEMICOLON, i);
    const name = header.slice(i, nameEnd).trim().toLowerCase();
    if (nameEnd === header.length || header.charCodeAt(nameEnd) === SEMICOLON) {
      i = nameEnd + 1; // a parameter without a value (or an empty segment): skipped
      continue;
    }
    i = skipWhitespace(header, nameEnd + 1);
    let value: string;
    if (header.charCodeAt(i) === QUOTE) {
      const quoted = readQuotedString(header, i);
      value = quoted.value;
      // Anything between the closing quote and the next `;` is not valid; it is ignored.
      i = indexOfEither(header, SEMICOLON, SEMICOLON, quoted.end) + 1;
    } else {
      const valueEnd = indexOfEither(header, SEMICOLON, SEMICOLON, i);
      value = header.slice(i, valueEnd).trim();
      i = valueEnd + 1;
    }
    if (name !== '' && !parameters.has(name)) parameters.set(name, value);
  }
  return parameters;
}

/** `start` is at the opening quote; returns the unescaped value and the index after the closing quote. */
function readQuotedString(header: string, start: number): { value: string; end: number } {
  let value = '';
  let i = start + 1;
  let runStart = i;
  while (i < header.length) {
    const code = header.charCodeAt(i);
    if (code === QUOTE) return { value: value + header.slice(runStart, i), end: i + 1 };
    if (code === BACKSLASH && i + 1 < header.length) {
      // quoted-pair: the backslash is dropped and the next character taken as is.
      value += header.slice(runStart, i) + header.charAt(i + 1);
      i += 2;
      runStart = i;
      continue;
    }
    i++;
  }
  return { value: value + header.slice(runStart), end: header.length }; // unterminated: take the rest
}

function indexOfEither(text: string, a: number, b: number, from: number): number {
  for (let i = from; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === a || code === b) return i;
  }
  return text.length;
}

function skipWhitespace(text: string, from: number): number {
  let i = from;
  while (i < text.length && (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x09)) i++;
  return i;
}
