/**
 * The redirect URI an identity provider must know for Pallet: `{publicUrl}/account/external/{provider}/callback`.
 * The start of a sign-in and its callback both use it, as the token request must repeat it exactly.
 */
export function redirectUriOf(base: string, provider: string): string {
  return `${base}/account/external/${encodeURIComponent(provider)}/callback`;
}
