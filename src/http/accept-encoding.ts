/** Whether an Accept-Encoding header admits gzip, honouring q-values (`gzip;q=0` refuses it), per RFC 9110 §12.5.3. */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  let wildcard: number | undefined;
  for (const part of header.split(',')) {
    const [codingText = '', ...parameters] = part.split(';');
    const coding = codingText.trim().toLowerCase();
    const qParameter = parameters.map((parameter) => parameter.trim().toLowerCase()).find((parameter) => parameter.startsWith('q='));
    const quality = qParameter === undefined ? 1 : Number(qParameter.slice(2));
    if (coding === 'gzip' || coding === 'x-gzip') return quality > 0;
    if (coding === '*') wildcard = quality;
  }
  return wildcard !== undefined && wildcard > 0;
}
