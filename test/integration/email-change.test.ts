/**
 * Changing one's email with a verification link, through a real SMTP server (smtp-server): the link goes to
 * the new address; the account keeps the old one until the link is opened; a forged, replayed or other
 * row's link is refused; the change is mailed to both addresses.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { seedUsers } from '../support/seed-accounts.ts';
import { PUBLIC_URL, startInProcess, type InProcessPallet } from '../support/in-process.ts';
import { eventually, startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { Browser, csrfOf } from '../support/web-browser.ts';

const PASSWORD = 'a long enough password';

describe('changing the email with a verification link', () => {
  let pallet: InProcessPallet;
  let smtp: SmtpSink;

  before(async () => {
    smtp = await startSmtpSink();
    pallet = await startInProcess({ flags: { smtpUrl: smtp.url, deliveryRetryDelay: '100ms' } });
    await seedUsers(pallet.dataDir, [{ name: 'alice', password: PASSWORD }]);
  });

  after(async () => {
    await pallet.close();
    await smtp.close();
  });

  it('mails a link to the new address, and changes the email only when it is opened, once', async () => {
    const browser = new Browser(pallet);
    assert.equal((await browser.submit('/account/sign-in', '/account/sign-in', { name: 'alice', password: PASSWORD })).statusCode, 303);
    const asked = await browser.submit('/account', '/account/email', { email: 'alice@new.example.com' });
    assert.equal(asked.statusCode, 303);
    assert.equal(asked.headers.location, '/account?changed=email-sent');
    assert.match((await browser.get('/account')).body, /<dd>alice@example\.com<\/dd>/, 'the old address until the link is opened');

    await eventually('the link is mailed', () => smtp.messages.some((mail) => mail.to.includes('alice@new.example.com')));
    const mail = smtp.messages.find((each) => each.to.includes('alice@new.example.com'));
    assert.equal(mail?.subject, '[Pallet] Confirm your new email address');
    const link = new RegExp(`${PUBLIC_URL.replace(/[.:/]/g, '\\$&')}(/account/email/verify\\?id=(\\d+)&token=([A-Za-z0-9_-]{43}))`).exec(mail?.text ?? '');
    assert.ok(link, `the mail holds the link: ${mail?.text}`);
    const [, path, id, token] = link as unknown as [string, string, string, string];

    const other = new Browser(pallet);
    assert.equal((await other.get(`/account/email/verify?id=${id}&token=${token.slice(0, -2)}xx`)).statusCode, 403, 'a forged token');
    assert.equal((await other.get(`/account/email/verify?id=${Number(id) + 1}&token=${token}`)).statusCode, 403, "another row's id");
    const confirmed = await other.get(path);
    assert.equal(confirmed.statusCode, 200, 'no session needed: the token is the proof');
    assert.match(confirmed.body, /Your email is now alice@new\.example\.com/);
    assert.equal((await other.get(path)).statusCode, 403, 'a link works once');
    assert.match((await browser.get('/account')).body, /<dd>alice@new\.example\.com<\/dd>/);

    await eventually('both addresses hear of the change', () => smtp.messages.filter((each) => each.subject === '[Pallet] Your email address was changed').length === 2);
    const told = smtp.messages.filter((each) => each.subject === '[Pallet] Your email address was changed').flatMap((each) => each.to).sort();
    assert.deepEqual(told, ['alice@example.com', 'alice@new.example.com']);
  });

  it('refuses an address that is not one', async () => {
    const browser = new Browser(pallet);
    await browser.submit('/account/sign-in', '/account/sign-in', { name: 'alice', password: PASSWORD });
    const account = await browser.get('/account');
    const refused = await browser.post('/account/email', { _csrf: csrfOf(account.body), email: 'not an address' });
    assert.equal(refused.statusCode, 400);
  });
});

describe('signing up with a password, where allowed', () => {
  let pallet: InProcessPallet;
  let smtp: SmtpSink;

  before(async () => {
    smtp = await startSmtpSink();
    pallet = await startInProcess({ flags: { smtpUrl: smtp.url, deliveryRetryDelay: '100ms', passwordSignUp: 'true' } });
  });

  after(async () => {
    await pallet.close();
    await smtp.close();
  });

  it('makes the account and signs it in; its email is its own once the mailed link is opened', async () => {
    const browser = new Browser(pallet);
    assert.match((await browser.get('/account/sign-in')).body, /href="\/account\/sign-up"/);
    const created = await browser.submit('/account/sign-up', '/account/sign-up', { name: 'newcomer', email: 'newcomer@example.com', password: 'a long new password' });
    assert.equal(created.statusCode, 303);
    const account = await browser.get('/account?changed=email-sent');
    assert.match(account.body, /<dd>newcomer<\/dd>/);
    assert.match(account.body, /<dt>Email<\/dt><dd>none<\/dd>/, 'not before the link is opened');
    await eventually('the link is mailed', () => smtp.messages.some((mail) => mail.to.includes('newcomer@example.com')));
    const path = /(\/account\/email\/verify\?id=\d+&token=[A-Za-z0-9_-]{43})/.exec(smtp.messages.find((mail) => mail.to.includes('newcomer@example.com'))?.text ?? '')?.[1];
    assert.ok(path);
    assert.equal((await browser.get(path)).statusCode, 200);
    assert.match((await browser.get('/account')).body, /<dd>newcomer@example\.com<\/dd>/);
    const taken = await new Browser(pallet).submit('/account/sign-up', '/account/sign-up', { name: 'NEWCOMER', email: 'x@example.com', password: 'a long new password' });
    assert.equal(taken.statusCode, 409);
  });

  it('lets one address sign up five times an hour', async () => {
    for (let index = 0; index < 4; index += 1) {
      assert.equal((await new Browser(pallet).submit('/account/sign-up', '/account/sign-up', { name: `bulk${index}`, email: `bulk${index}@example.com`, password: 'a long new password' })).statusCode, 303);
    }
    const limited = await new Browser(pallet).submit('/account/sign-up', '/account/sign-up', { name: 'bulk9', email: 'bulk9@example.com', password: 'a long new password' });
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.headers['retry-after'], '3600');
  });

  it('offers no sign-up where the setting is off', async () => {
    const closed = await startInProcess();
    try {
      assert.equal((await closed.inject({ method: 'GET', url: '/account/sign-up' })).statusCode, 404);
      assert.doesNotMatch((await closed.inject({ method: 'GET', url: '/account/sign-in' })).body, /sign-up/);
    } finally {
      await closed.close();
    }
  });
});
