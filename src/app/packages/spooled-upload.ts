/** An upload already streamed to a temp file by the HTTP layer, with its size and hash taken on the way. */
export interface SpooledUpload {
  readonly path: string;
  readonly size: number;
  /** Lowercase hex SHA-512: the blob key. */
  readonly sha512Hex: string;
}
