/** Reads a secret (a password) from standard input: its first line, so `echo pw | pallet …` and a here-string both work. */
export async function readSecretFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    length += (chunk as Buffer).length;
    // A password is short; a file piped in by mistake is not read whole.
    if (length > 64 * 1024) break;
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const newline = text.search(/\r?\n/);
  return newline < 0 ? text : text.slice(0, newline);
}
