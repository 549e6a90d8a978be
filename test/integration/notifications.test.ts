/**
 * Notifications through the outbox, against a real SMTP server (`smtp-server` on loopback) and a real
 * HTTP receiver: the publish email to owners (and not to one who turned it off), the key-created email,
 * a push that succeeds while the mail server is down and whose mail arrives once it is back, a restart in
 * between that loses nothing, and signed webhook calls that are retried until taken.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { DatabaseSync } from 'node:sqlite';
import { openDatabaseForTools } from '../../src/app.ts';
import { dataFolderLayout } from '../../src/data-folder.ts';
import { createUser } from '../../src/app/accounts/create-user.ts';
import { createApiKey } from '../../src/app/accounts/create-api-key.ts';
import { setPublishEmails } from '../../src/app/accounts/manage-user.ts';
import { addWebhook } from '../../src/app/notifications/webhooks.ts';
import { COMMAND_LINE } from '../../src/app/events.ts';
import { webhookSignature } from '../../src/adapters/http-webhook-sender.ts';
import { buildNupkg } from '../support/nupkg-builder.ts';
import { startInProcess, type InProcessPallet } from '../support/in-process.ts';
import { eventually, freePort, startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';

const YEAR_MS = 365 * 86_400_000;
const FAST_RETRY = { deliveryRetryDelay: '100ms', mailFrom: 'Pallet <nuget@example.com>' };

/** Runs `work` with the stores of the running server's data folder, as the command-line tools do. */
async function withTools<T>(pallet: InProcessPallet, work: (tools: ReturnType<typeof openDatabaseForTools>) => Promise<T>): Promise<T> {
  const tools = openDatabaseForTools(dataFolderLayout(pallet.dataDir).database, 'write');
  try {
    return await work(tools);
  } finally {
    tools.close();
  }
}

async function userWithKey(pallet: InProcessPallet, name: string, email: string): Promise<string> {
  return withTools(pallet, async (tools) => {
    const deps = { accounts: tools.accounts, keys: tools.keys, organizations: tools.organizations, feeds: tools.feeds, now: () => new Date(), maxLifetimeMs: YEAR_MS };
    await createUser(deps, COMMAND_LINE, { name, email, isAdministrator: false, password: undefined });
    return (await createApiKey(deps, COMMAND_LINE, { userName: name, name: 'ci', scopes: ['push', 'unlist'], patterns: [], lifetimeMs: undefined })).secret;
  });
}

describe('notifications', () => {
  describe('email', () => {
    let smtp: SmtpSink;
    let pallet: InProcessPallet;

    before(async () => {
      smtp = await startSmtpSink();
      pallet = await startInProcess({ flags: { ...FAST_RETRY, smtpUrl: smtp.url } });
    });

    after(async () => {
      await pallet.close();
      await smtp.close();
    });

    it('tells a key holder that a key was created, and every owner that a version was published', async () => {
      const key = await userWithKey(pallet, 'alice', 'alice@example.com');
      await userWithKey(pallet, 'bob', 'bob@example.com');
      await eventually('both key emails arrived', () => smtp.messages.length >= 2);
      assert.deepEqual(smtp.messages.map((message) => [message.to, message.subject]), [
        [['alice@example.com'], "[Pallet] A new API key 'ci' was created"],
        [['bob@example.com'], "[Pallet] A new API key 'ci' was created"],
      ]);
      assert.equal(smtp.messages[0]?.from, 'nuget@example.com');

      assert.equal((await pallet.push(buildNupkg({ id: 'Mailed.Package', version: '1.0.0' }), { key })).statusCode, 201);
      await eventually('the publish email arrived', () => smtp.messages.length >= 3);
      const published = smtp.messages[2];
      assert.deepEqual([published?.to, published?.subject], [['alice@example.com'], '[Pallet] Mailed.Package 1.0.0 was published']);
      assert.match(published?.text ?? '', /by alice \(API key 'ci'\)/);
      assert.match(published?.text ?? '', /http:\/\/pallet\.test\/packages\/Mailed\.Package\/1\.0\.0/);
      assert.equal(smtp.messages.length, 3, 'bob owns nothing and hears nothing');
    });

    it('sends no publish email to an owner who turned them off', async () => {
      await withTools(pallet, (tools) => setPublishEmails({ accounts: tools.accounts, now: () => new Date() }, 'alice', false));
      const key = await withTools(pallet, async (tools) => {
        const deps = { accounts: tools.accounts, keys: tools.keys, organizations: tools.organizations, feeds: tools.feeds, now: () => new Date(), maxLifetimeMs: YEAR_MS };
        return (await createApiKey(deps, COMMAND_LINE, { userName: 'alice', name: 'second', scopes: ['push'], patterns: [], lifetimeMs: undefined })).secret;
      });
      const before = smtp.messages.length;
      assert.equal((await pallet.push(buildNupkg({ id: 'Mailed.Package', version: '1.1.0' }), { key })).statusCode, 201);
      // Events are expanded in order: once a later event's email is here, the push had its turn.
      await withTools(pallet, async (tools) => {
        const deps = { accounts: tools.accounts, keys: tools.keys, organizations: tools.organizations, feeds: tools.feeds, now: () => new Date(), maxLifetimeMs: YEAR_MS };
        await createApiKey(deps, COMMAND_LINE, { userName: 'alice', name: 'third', scopes: ['push'], patterns: [], lifetimeMs: undefined });
      });
      await eventually('the third key email arrived', () => smtp.messages.some((message) => message.subject.includes("'third'")));
      assert.deepEqual(smtp.messages.slice(before).map((message) => message.subject), ["[Pallet] A new API key 'second' was created", "[Pallet] A new API key 'third' was created"]);
    });

    it('warns a key holder once that the key expires within ten days', async () => {
      await withTools(pallet, async (tools) => {
        const deps = { accounts: tools.accounts, keys: tools.keys, organizations: tools.organizations, feeds: tools.feeds, now: () => new Date(), maxLifetimeMs: YEAR_MS };
        await createApiKey(deps, COMMAND_LINE, { userName: 'bob', name: 'short-lived', scopes: ['push'], patterns: [], lifetimeMs: 5 * 86_400_000 });
      });
      // The expiry check runs once a minute; a restart runs it at once.
      await pallet.close({ keepData: true });
      pallet = await startInProcess({ dataDir: pallet.dataDir, flags: { ...FAST_RETRY, smtpUrl: smtp.url } });
      await eventually('the expiry warning arrived', () => smtp.messages.some((message) => message.subject.startsWith("[Pallet] The API key 'short-lived' expires on")));
      await pallet.close({ keepData: true });
      pallet = await startInProcess({ dataDir: pallet.dataDir, flags: { ...FAST_RETRY, smtpUrl: smtp.url } });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const warnings = smtp.messages.filter((message) => message.subject.includes('expires on'));
      assert.deepEqual(warnings.map((message) => message.to), [['bob@example.com']], 'warned once, and only for the key about to expire');
    });
  });

  it('lets a push succeed while the mail server is down, and sends its mail once it is back, across a restart', async () => {
    const port = await freePort();
    const first = await startInProcess({ flags: { ...FAST_RETRY, smtpUrl: `smtp://127.0.0.1:${port}` } });
    const key = await userWithKey(first, 'carol', 'carol@example.com');
    const started = Date.now();
    assert.equal((await first.push(buildNupkg({ id: 'Down.Mail', version: '1.0.0' }), { key })).statusCode, 201);
    assert.ok(Date.now() - started < 10_000, 'the push did not wait for mail');
    await eventually('a try failed', () => unsentAttempts(first.dataDir) >= 2);
    await first.close({ keepData: true });

    const smtp = await startSmtpSink(port);
    const second = await startInProcess({ dataDir: first.dataDir, flags: { ...FAST_RETRY, smtpUrl: smtp.url } });
    try {
      await eventually('both emails arrived', () => smtp.messages.length >= 2);
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.deepEqual(smtp.messages.map((message) => message.subject).sort(), ["[Pallet] A new API key 'ci' was created", '[Pallet] Down.Mail 1.0.0 was published']);
    } finally {
      await second.close();
      await smtp.close();
    }
  });

  describe('webhooks', () => {
    let receiver: Server;
    let url: string;
    const calls: { headers: IncomingHttpHeaders; body: string }[] = [];
    let failuresLeft = 0;

    before(async () => {
      receiver = createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          calls.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
          response.statusCode = failuresLeft-- > 0 ? 500 : 204;
          response.end();
        });
      });
      receiver.listen(0, '127.0.0.1');
      await once(receiver, 'listening');
      url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    });

    after(async () => {
      await new Promise((resolve) => receiver.close(resolve));
    });

    it('calls a webhook signed with its secret on publish and unlist, retrying until the receiver takes it', async () => {
      const pallet = await startInProcess({ flags: FAST_RETRY });
      try {
        const key = await userWithKey(pallet, 'dana', 'dana@example.com');
        const { secret } = await withTools(pallet, (tools) =>
          addWebhook({ accounts: tools.accounts, webhooks: tools.webhooks, now: () => new Date() }, COMMAND_LINE, { url, ownerName: 'dana', events: [] }),
        );
        failuresLeft = 1;
        assert.equal((await pallet.push(buildNupkg({ id: 'Hooked.Package', version: '1.0.0' }), { key })).statusCode, 201);
        assert.equal((await pallet.push(buildNupkg({ id: 'Other.Package', version: '1.0.0' }))).statusCode, 201, "another owner's package");
        assert.equal((await pallet.setListed('Hooked.Package', '1.0.0', false, key)).statusCode, 200);
        await eventually('the push was retried and the unlist called', () => calls.filter((call) => call.headers['x-pallet-event'] === 'package.unlisted').length === 1 && calls.length >= 3);
        const pushes = calls.filter((call) => call.headers['x-pallet-event'] === 'package.pushed');
        assert.equal(pushes.length, 2, 'one failed try, then the retry');
        assert.equal(pushes[0]?.headers['x-pallet-delivery'], pushes[1]?.headers['x-pallet-delivery'], 'a retry is the same delivery');
        assert.equal(pushes[0]?.body, pushes[1]?.body, 'a retry sends the same bytes');
        for (const call of calls) {
          assert.equal(call.headers['x-pallet-signature-256'], webhookSignature(secret, call.body));
          assert.notEqual(call.headers['x-pallet-signature-256'], webhookSignature('wrong secret', call.body));
        }
        const body = JSON.parse(pushes[0]?.body ?? '{}') as { event: string; package: { id: string; version: string }; actor: string };
        assert.deepEqual([body.event, body.package.id, body.package.version, body.actor], ['package.pushed', 'Hooked.Package', '1.0.0', "dana (API key 'ci')"]);
        assert.ok(!calls.some((call) => call.body.includes('Other.Package')), "no call for a package of another owner");
      } finally {
        await pallet.close();
      }
    });
  });
});

/** How many tries the outbox has made of deliveries that are not sent yet. */
function unsentAttempts(dataDir: string): number {
  const database = new DatabaseSync(dataFolderLayout(dataDir).database, { readOnly: true });
  try {
    return Number(database.prepare('SELECT coalesce(sum(attempts), 0) AS attempts FROM deliveries WHERE sent_at IS NULL').get()?.attempts ?? 0);
  } finally {
    database.close();
  }
}
