import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { presentedCredential } from './credentials.ts';

const basic = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;

describe('presentedCredential', () => {
  it('reads nothing when nothing is presented', () => {
    assert.equal(presentedCredential({}), undefined);
    assert.equal(presentedCredential({ 'x-nuget-apikey': '', authorization: '' }), undefined);
  });

  it('reads the X-NuGet-ApiKey header first', () => {
    assert.deepEqual(presentedCredential({ 'x-nuget-apikey': 'k1', authorization: basic('u:p') }), { secret: 'k1', via: 'api-key-header' });
  });

  it("reads a Basic password (the user name is only the client's label), colons in the password included", () => {
    assert.deepEqual(presentedCredential({ authorization: basic('ci:pallet_secret:with:colons') }), { secret: 'pallet_secret:with:colons', via: 'basic' });
    assert.deepEqual(presentedCredential({ authorization: `basic   ${Buffer.from('x:y').toString('base64')}` }), { secret: 'y', via: 'basic' });
  });

  it('reads a Bearer token', () => {
    assert.deepEqual(presentedCredential({ authorization: 'Bearer pallet_abc' }), { secret: 'pallet_abc', via: 'bearer' });
  });

  it('presents an empty (so invalid) secret for a malformed Authorization header, never nothing', () => {
    assert.deepEqual(presentedCredential({ authorization: basic('no-colon') }), { secret: '', via: 'basic' });
    assert.deepEqual(presentedCredential({ authorization: 'Basic !!!' }), { secret: '', via: 'basic' });
    assert.deepEqual(presentedCredential({ authorization: 'Digest abc' }), { secret: '', via: 'bearer' });
  });
});
