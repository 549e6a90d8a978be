/** Ordered schema migrations. Never edit one that has shipped; add the next number instead. */

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  /**
   * The migration rebuilds tables that others reference: it runs with foreign key enforcement off (which
   * SQLite only allows outside a transaction), and `PRAGMA foreign_key_check` must find nothing before it
   * commits (https://www.sqlite.org/lang_altertable.html#otheralter).
   */
  readonly rebuildsTables?: boolean;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'packages and versions',
    sql: `
      CREATE TABLE packages (
        id_lower   TEXT PRIMARY KEY,
        id              TEXT NOT NULL,     -- display casing, fixed by the first push
        created_at      TEXT NOT NULL,
        total_downloads INTEGER NOT NULL DEFAULT 0
      );

      CREATE TABLE package_versions (
        id_lower            TEXT NOT NULL REFERENCES packages (id_lower),
        version_lower       TEXT NOT NULL, -- normalized and lowercased: identity and URL form
        id                  TEXT NOT NULL, -- the id as this version's nuspec spells it
        version_normalized  TEXT NOT NULL,
        version_full        TEXT NOT NULL, -- normalized plus build metadata
        version_original    TEXT NOT NULL, -- as written in the nuspec
        sort_key            TEXT NOT NULL, -- binary order equals NuGet version order
        is_prerelease       INTEGER NOT NULL,
        is_semver2          INTEGER NOT NULL,
        listed              INTEGER NOT NULL DEFAULT 1,
        published_at        TEXT NOT NULL,
        package_blob        TEXT NOT NULL,
        package_size        INTEGER NOT NULL,
        package_sha512      TEXT NOT NULL,
        nuspec_blob         TEXT NOT NULL,
        readme_blob         TEXT,
        icon_blob           TEXT,
        icon_content_type   TEXT,
        license_blob        TEXT,
        -- Searched text, lowercased once at push time (display text lives in details_json).
        title_lower         TEXT NOT NULL,
        description_lower   TEXT NOT NULL,
        summary_lower       TEXT NOT NULL,
        authors_lower       TEXT NOT NULL,
        tags_lower          TEXT NOT NULL, -- space-separated
        package_types       TEXT NOT NULL, -- '|dependency|dotnettool|': lowercase names for filtering
        details_json        TEXT NOT NULL, -- VersionDetails: what is only displayed
        downloads           INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (id_lower, version_lower)
      );

      CREATE INDEX package_versions_by_order ON package_versions (id_lower, sort_key);

      -- The latest listed version of each id for each search variant (bit 1: prereleases included,
      -- bit 2: SemVer 2.0.0 included), kept current by every write, so search scans ids, not versions.
      CREATE TABLE package_latest (
        id_lower      TEXT NOT NULL REFERENCES packages (id_lower),
        variant       INTEGER NOT NULL,
        version_lower TEXT NOT NULL,
        PRIMARY KEY (variant, id_lower)
      );
    `,
  },
  {
    version: 2,
    name: 'read documents',
    sql: `
      -- What restore reads, projected from an id's versions in the same transaction as every change
      -- (DocumentProjection in app/ports.ts). The body is the document's UTF-8 text, raw-deflated.
      CREATE TABLE read_documents (
        id_lower    TEXT NOT NULL REFERENCES packages (id_lower),
        name        TEXT NOT NULL,
        hash        TEXT NOT NULL,
        base_marker TEXT,
        body        BLOB NOT NULL,
        PRIMARY KEY (id_lower, name)
      );

      -- The format each kind of derived data was written in; a projection of another format rebuilds it.
      CREATE TABLE derived_formats (
        kind   TEXT PRIMARY KEY,
        format TEXT NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'search documents and their text index',
    sql: `
      -- nuget.org's model: one search document per package and filter variant, here one row per version
      -- that is the latest listed one of at least one variant (bit 1: prereleases included, bit 2: SemVer
      -- 2.0.0 included; bit v of variants is set for variant v), narrow: what ranking reads for each match.
      -- Kept current in the transaction of every push, unlist and relist; total_downloads follows every
      -- download flush.
      CREATE TABLE search_documents (
        doc             INTEGER PRIMARY KEY, -- an alias of the rowid, so VACUUM keeps it: the text index's rowid
        id_lower        TEXT NOT NULL REFERENCES packages (id_lower),
        version_lower   TEXT NOT NULL,
        variants        INTEGER NOT NULL,
        registration_id TEXT NOT NULL,
        total_downloads INTEGER NOT NULL,
        title_lower     TEXT NOT NULL,
        UNIQUE (id_lower, version_lower)
      );
      CREATE INDEX search_documents_by_downloads ON search_documents (total_downloads DESC, id_lower);

      -- The documents' text, lowercased, as a trigram index: a phrase query is an exact substring match, so
      -- a term of three characters or more is answered by the index alone (search-text-match.ts). The
      -- variants (as '|v0|v3|') and package types ('|dependency|') are columns too, so a count never
      -- leaves the index.
      CREATE VIRTUAL TABLE search_text USING fts5 (
        id_lower, title_lower, description_lower, summary_lower, authors_lower, tags_lower, package_types, variants,
        tokenize = 'trigram'
      );

      INSERT INTO search_documents (id_lower, version_lower, variants, registration_id, total_downloads, title_lower)
        SELECT l.id_lower, l.version_lower, sum(1 << l.variant), p.id, p.total_downloads, v.title_lower
        FROM package_latest l
        JOIN package_versions v ON v.id_lower = l.id_lower AND v.version_lower = l.version_lower
        JOIN packages p ON p.id_lower = l.id_lower
        GROUP BY l.id_lower, l.version_lower;
      INSERT INTO search_text (rowid, id_lower, title_lower, description_lower, summary_lower, authors_lower, tags_lower, package_types, variants)
        SELECT d.doc, v.id_lower, v.title_lower, v.description_lower, v.summary_lower, v.authors_lower, v.tags_lower, v.package_types,
               (CASE WHEN d.variants & 1 THEN '|v0|' ELSE '' END) || (CASE WHEN d.variants & 2 THEN '|v1|' ELSE '' END) ||
               (CASE WHEN d.variants & 4 THEN '|v2|' ELSE '' END) || (CASE WHEN d.variants & 8 THEN '|v3|' ELSE '' END)
        FROM search_documents d JOIN package_versions v ON v.id_lower = d.id_lower AND v.version_lower = d.version_lower;
      DROP TABLE package_latest;
    `,
  },
  {
    version: 4,
    name: 'search generation',
    sql: `
      -- Moves with every change to which documents exist and what their text is (push, unlist, relist, a
      -- rebuild), not with download flushes: search remembers its counts against it, and a flush every few
      -- seconds would otherwise have them counted again (a whole variant: 7 ms warm, 70 cold at 100,000 ids).
      CREATE TABLE search_generation (
        singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
        value     INTEGER NOT NULL
      );
      INSERT INTO search_generation (singleton, value) VALUES (1, 0);
    `,
  },
  {
    version: 5,
    name: 'feeds',
    rebuildsTables: true,
    sql: `
      -- Every package, version, read document and search document belongs to a feed, the first key column
      -- of each; the gallery is feed 1, and everything stored before feeds existed is its. SQLite cannot
      -- change a primary key in place, so the four tables are copied into new ones (rowids and search
      -- document numbers kept, so the text index's rows still name their documents).
      CREATE TABLE feeds (
        feed_id    INTEGER PRIMARY KEY,
        name       TEXT NOT NULL UNIQUE, -- lowercase, as in /feeds/{name}/v3/index.json
        created_at TEXT NOT NULL
      );
      INSERT INTO feeds (feed_id, name, created_at) VALUES (1, 'default', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));

      CREATE TABLE packages_rebuilt (
        feed_id         INTEGER NOT NULL REFERENCES feeds (feed_id),
        id_lower        TEXT NOT NULL,
        id              TEXT NOT NULL,     -- display casing, fixed by the first push to this feed
        created_at      TEXT NOT NULL,
        total_downloads INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (feed_id, id_lower)
      );
      INSERT INTO packages_rebuilt (rowid, feed_id, id_lower, id, created_at, total_downloads)
        SELECT rowid, 1, id_lower, id, created_at, total_downloads FROM packages;

      CREATE TABLE package_versions_rebuilt (
        feed_id             INTEGER NOT NULL,
        id_lower            TEXT NOT NULL,
        version_lower       TEXT NOT NULL, -- normalized and lowercased: identity and URL form
        id                  TEXT NOT NULL, -- the id as this version's nuspec spells it
        version_normalized  TEXT NOT NULL,
        version_full        TEXT NOT NULL, -- normalized plus build metadata
        version_original    TEXT NOT NULL, -- as written in the nuspec
        sort_key            TEXT NOT NULL, -- binary order equals NuGet version order
        is_prerelease       INTEGER NOT NULL,
        is_semver2          INTEGER NOT NULL,
        listed              INTEGER NOT NULL DEFAULT 1,
        published_at        TEXT NOT NULL,
        package_blob        TEXT NOT NULL,
        package_size        INTEGER NOT NULL,
        package_sha512      TEXT NOT NULL,
        nuspec_blob         TEXT NOT NULL,
        readme_blob         TEXT,
        icon_blob           TEXT,
        icon_content_type   TEXT,
        license_blob        TEXT,
        title_lower         TEXT NOT NULL,
        description_lower   TEXT NOT NULL,
        summary_lower       TEXT NOT NULL,
        authors_lower       TEXT NOT NULL,
        tags_lower          TEXT NOT NULL, -- space-separated
        package_types       TEXT NOT NULL, -- '|dependency|dotnettool|': lowercase names for filtering
        details_json        TEXT NOT NULL, -- VersionDetails: what is only displayed
        downloads           INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (feed_id, id_lower, version_lower),
        FOREIGN KEY (feed_id, id_lower) REFERENCES packages (feed_id, id_lower)
      );
      INSERT INTO package_versions_rebuilt (rowid, feed_id, id_lower, version_lower, id, version_normalized, version_full, version_original,
          sort_key, is_prerelease, is_semver2, listed, published_at, package_blob, package_size, package_sha512, nuspec_blob, readme_blob,
          icon_blob, icon_content_type, license_blob, title_lower, description_lower, summary_lower, authors_lower, tags_lower,
          package_types, details_json, downloads)
        SELECT rowid, 1, id_lower, version_lower, id, version_normalized, version_full, version_original,
          sort_key, is_prerelease, is_semver2, listed, published_at, package_blob, package_size, package_sha512, nuspec_blob, readme_blob,
          icon_blob, icon_content_type, license_blob, title_lower, description_lower, summary_lower, authors_lower, tags_lower,
          package_types, details_json, downloads
        FROM package_versions;

      CREATE TABLE read_documents_rebuilt (
        feed_id     INTEGER NOT NULL,
        id_lower    TEXT NOT NULL,
        name        TEXT NOT NULL,
        hash        TEXT NOT NULL,
        base_marker TEXT,
        body        BLOB NOT NULL,
        PRIMARY KEY (feed_id, id_lower, name),
        FOREIGN KEY (feed_id, id_lower) REFERENCES packages (feed_id, id_lower)
      );
      INSERT INTO read_documents_rebuilt (feed_id, id_lower, name, hash, base_marker, body)
        SELECT 1, id_lower, name, hash, base_marker, body FROM read_documents;

      CREATE TABLE search_documents_rebuilt (
        doc             INTEGER PRIMARY KEY, -- an alias of the rowid, so VACUUM keeps it: the text index's rowid
        feed_id         INTEGER NOT NULL,
        id_lower        TEXT NOT NULL,
        version_lower   TEXT NOT NULL,
        variants        INTEGER NOT NULL,
        registration_id TEXT NOT NULL,
        total_downloads INTEGER NOT NULL,
        title_lower     TEXT NOT NULL,
        UNIQUE (feed_id, id_lower, version_lower),
        FOREIGN KEY (feed_id, id_lower) REFERENCES packages (feed_id, id_lower)
      );
      INSERT INTO search_documents_rebuilt (doc, feed_id, id_lower, version_lower, variants, registration_id, total_downloads, title_lower)
        SELECT doc, 1, id_lower, version_lower, variants, registration_id, total_downloads, title_lower FROM search_documents;

      DROP TABLE search_documents;
      DROP TABLE read_documents;
      DROP TABLE package_versions;
      DROP TABLE packages;
      ALTER TABLE packages_rebuilt RENAME TO packages;
      ALTER TABLE package_versions_rebuilt RENAME TO package_versions;
      ALTER TABLE read_documents_rebuilt RENAME TO read_documents;
      ALTER TABLE search_documents_rebuilt RENAME TO search_documents;
      CREATE INDEX package_versions_by_order ON package_versions (feed_id, id_lower, sort_key);
      CREATE INDEX search_documents_by_downloads ON search_documents (feed_id, total_downloads DESC, id_lower);

      -- The text index's variants column names the feed too ('|f1v0|f1v3|'), so a count per feed and
      -- variant still never leaves the index.
      UPDATE search_text SET variants = replace(variants, '|v', '|f1v');
      UPDATE search_generation SET value = value + 1;
    `,
  },
  {
    version: 6,
    name: 'accounts, API keys, package owners and events',
    sql: `
      -- Users and organizations share one namespace, as on nuget.org: an owner or a key's "acts for" is
      -- either. Instance-wide, like package owners: an id is one package in every feed.
      CREATE TABLE accounts (
        account_id     INTEGER PRIMARY KEY,
        kind           TEXT NOT NULL CHECK (kind IN ('user', 'organization')),
        name           TEXT NOT NULL,
        name_lower     TEXT NOT NULL UNIQUE,
        display_name   TEXT NOT NULL,
        email          TEXT,
        email_verified INTEGER NOT NULL DEFAULT 0,
        is_admin       INTEGER NOT NULL DEFAULT 0,
        password_hash  TEXT,             -- scrypt (security/password-hash.ts); NULL: no password sign-in
        disabled_at    TEXT,
        created_at     TEXT NOT NULL
      );

      -- nuget.org's scoped keys: only the SHA-256 of the secret is kept (the secret is shown once).
      CREATE TABLE api_keys (
        key_id          INTEGER PRIMARY KEY,
        user_id         INTEGER NOT NULL REFERENCES accounts (account_id), -- who created it and holds it
        owner_id        INTEGER NOT NULL REFERENCES accounts (account_id), -- the user or organization it acts for
        name            TEXT NOT NULL,
        lookup_hash     TEXT NOT NULL UNIQUE,
        scopes          TEXT NOT NULL,  -- JSON array of ApiKeyScope
        patterns        TEXT NOT NULL,  -- JSON array of package id patterns (globs or ids), lowercased
        created_at      TEXT NOT NULL,
        expires_at      TEXT NOT NULL,
        revoked_at      TEXT,
        last_used_at    TEXT,
        UNIQUE (user_id, name)
      );

      -- The owners of an id, in every feed. An id with versions and no owner row was pushed with the
      -- configured administrator key; administrators manage it.
      CREATE TABLE package_owners (
        id_lower   TEXT NOT NULL,
        account_id INTEGER NOT NULL REFERENCES accounts (account_id),
        added_at   TEXT NOT NULL,
        PRIMARY KEY (id_lower, account_id)
      );
      CREATE INDEX package_owners_by_account ON package_owners (account_id);

      -- nuget.org's ID prefix reservations (domain/id-prefix-reservation.ts): a new id they cover is pushed
      -- only by one of their owners; a package they cover whose owners hold one is shown as verified.
      CREATE TABLE prefix_reservations (
        reservation_id INTEGER PRIMARY KEY,
        text           TEXT NOT NULL,       -- as the administrator wrote it: 'Contoso.*'
        kind           TEXT NOT NULL CHECK (kind IN ('prefix', 'id')),
        value_lower    TEXT NOT NULL,       -- 'contoso.' for a prefix, the id for an exact one
        owner_id       INTEGER NOT NULL REFERENCES accounts (account_id),
        created_at     TEXT NOT NULL,
        UNIQUE (kind, value_lower, owner_id)
      );

      -- Security-relevant changes, written in the transaction of the change itself: the audit log, and
      -- what mail and webhooks are sent from, so nothing is sent for a change that rolled back and nothing
      -- is lost for one that committed.
      CREATE TABLE events (
        event_id        INTEGER PRIMARY KEY,
        occurred_at     TEXT NOT NULL,
        kind            TEXT NOT NULL,     -- 'package.pushed', 'api-key.created', …
        actor_user_id   INTEGER,           -- NULL: the configured administrator key, or nobody signed in
        actor_key_name  TEXT,
        actor_label     TEXT NOT NULL,     -- how the actor is shown: 'alice (key ci-push)', 'configured API key'
        client_address  TEXT,
        subject_user_id INTEGER,           -- whose account the event concerns, for "my events"
        feed_id         INTEGER,
        id_lower        TEXT,
        version_lower   TEXT,
        data            TEXT NOT NULL      -- JSON: what else the event says
      );
      CREATE INDEX events_by_subject_user ON events (subject_user_id, event_id);
      CREATE INDEX events_by_actor_user ON events (actor_user_id, event_id);

      -- Who pushed each version, and with which key (by name): the push record.
      ALTER TABLE package_versions ADD COLUMN pushed_by_user_id INTEGER;
      ALTER TABLE package_versions ADD COLUMN pushed_by_label TEXT;
      ALTER TABLE package_versions ADD COLUMN pushed_with_key TEXT;
    `,
  },
  {
    version: 7,
    name: 'notifications: the outbox and webhooks',
    sql: `
      -- Events are turned into deliveries (an email, a webhook call) by the outbox, which reads them after its
      -- cursor and writes the deliveries and the new cursor in one transaction: each event is expanded once.
      CREATE TABLE outbox_cursor (
        singleton     INTEGER PRIMARY KEY CHECK (singleton = 1),
        last_event_id INTEGER NOT NULL
      );
      -- Events recorded before the outbox existed are history, not news: nothing is sent for them.
      INSERT INTO outbox_cursor (singleton, last_event_id) VALUES (1, (SELECT coalesce(max(event_id), 0) FROM events));

      CREATE TABLE deliveries (
        delivery_id     INTEGER PRIMARY KEY,
        event_id        INTEGER NOT NULL REFERENCES events (event_id),
        channel         TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
        target          TEXT NOT NULL,      -- an email address, or a webhook's id
        payload         TEXT NOT NULL,      -- JSON: the message, or the webhook's body, exactly as sent on every try
        created_at      TEXT NOT NULL,
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,               -- NULL once sent or given up
        sent_at         TEXT,
        failed_at       TEXT,               -- given up
        last_error      TEXT
      );
      CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE next_attempt_at IS NOT NULL;

      -- Signed webhooks (HMAC-SHA256 of the body with the secret): for the packages of one owner, or of
      -- every package when owner_id is NULL (an administrator's).
      CREATE TABLE webhooks (
        webhook_id INTEGER PRIMARY KEY,
        owner_id   INTEGER REFERENCES accounts (account_id),
        url        TEXT NOT NULL,
        secret     TEXT NOT NULL,
        events     TEXT NOT NULL,           -- JSON array of event kinds
        created_at TEXT NOT NULL,
        removed_at TEXT
      );

      -- Each user may turn off the email sent when one of their packages is published (on by default, as on nuget.org).
      ALTER TABLE accounts ADD COLUMN publish_emails INTEGER NOT NULL DEFAULT 1;
      -- When the holder was told that the key is about to expire, so they are told once.
      ALTER TABLE api_keys ADD COLUMN expiry_warned_at TEXT;
    `,
  },
  {
    version: 8,
    name: 'sessions, sign-in limits and two-factor authentication',
    sql: `
      -- Keys the server makes for itself once (the CSRF key), kept with the data so every process and restart agrees.
      CREATE TABLE instance_secrets (
        name  TEXT PRIMARY KEY,
        value BLOB NOT NULL
      );

      -- Server-side sessions: the cookie holds a random token, the row only its SHA-256, so a copy of the
      -- database opens no session; sign-out (here or everywhere) revokes rows.
      CREATE TABLE sessions (
        session_id       INTEGER PRIMARY KEY,
        lookup_hash      TEXT NOT NULL UNIQUE,
        user_id          INTEGER NOT NULL REFERENCES accounts (account_id),
        created_at       TEXT NOT NULL,
        last_seen_at     TEXT NOT NULL,
        expires_at       TEXT NOT NULL,
        revoked_at       TEXT,
        -- Signed in with the password, the second factor still owed: nothing but the code is accepted.
        awaiting_second_factor INTEGER NOT NULL DEFAULT 0,
        -- When a second factor was last proven in this session: sensitive actions want it recent.
        second_factor_at TEXT,
        client_address   TEXT,
        user_agent       TEXT
      );
      CREATE INDEX sessions_by_user ON sessions (user_id);

      -- Per-account lockout after repeated failures (passwords and codes), counted by conditional updates.
      ALTER TABLE accounts ADD COLUMN failed_sign_ins INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE accounts ADD COLUMN locked_until TEXT;
      -- TOTP (RFC 6238): the active secret, one being enrolled, the last step accepted (a code is good once).
      ALTER TABLE accounts ADD COLUMN totp_secret TEXT;
      ALTER TABLE accounts ADD COLUMN totp_pending_secret TEXT;
      ALTER TABLE accounts ADD COLUMN totp_last_step INTEGER;

      CREATE TABLE recovery_codes (
        user_id   INTEGER NOT NULL REFERENCES accounts (account_id),
        code_hash TEXT NOT NULL,
        used_at   TEXT,
        PRIMARY KEY (user_id, code_hash)
      );

      -- Failed sign-ins per client address in the current window, so one address cannot try many accounts.
      CREATE TABLE address_failures (
        client_address TEXT PRIMARY KEY,
        window_start   TEXT NOT NULL,
        failures       INTEGER NOT NULL
      );
    `,
  },
  {
    version: 9,
    name: 'owner invitations',
    sql: `
      -- An owner invites another account to co-own an id; it becomes an owner when the invitee accepts.
      CREATE TABLE owner_invitations (
        invitation_id INTEGER PRIMARY KEY,
        id_lower      TEXT NOT NULL,
        invitee_id    INTEGER NOT NULL REFERENCES accounts (account_id),
        invited_by    INTEGER REFERENCES accounts (account_id), -- NULL: the configured administrator key
        created_at    TEXT NOT NULL,
        accepted_at   TEXT,
        cancelled_at  TEXT
      );
      CREATE UNIQUE INDEX owner_invitations_pending ON owner_invitations (id_lower, invitee_id) WHERE accepted_at IS NULL AND cancelled_at IS NULL;
      CREATE INDEX owner_invitations_by_invitee ON owner_invitations (invitee_id);
    `,
  },
  {
    version: 10,
    name: 'trusted publishing',
    sql: `
      -- nuget.org's trusted publishing: an owner names a CI identity (an OIDC issuer and the claims its tokens
      -- must carry, such as a repository and a workflow); a job's token for it is exchanged for a key that
      -- pushes that owner's packages for one hour.
      CREATE TABLE trusted_publishers (
        publisher_id INTEGER PRIMARY KEY,
        owner_id     INTEGER NOT NULL REFERENCES accounts (account_id),
        issuer       TEXT NOT NULL,
        claims       TEXT NOT NULL,        -- JSON object: claim name → the value it must have
        created_at   TEXT NOT NULL,
        removed_at   TEXT
      );
      -- A CI token is exchanged once: its id (jti) is kept until it expires.
      CREATE TABLE exchanged_tokens (
        issuer     TEXT NOT NULL,
        jti        TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        PRIMARY KEY (issuer, jti)
      );
      -- The CI claims a key minted by trusted publishing stands for, and those a version was pushed with (its provenance).
      ALTER TABLE api_keys ADD COLUMN provenance TEXT;
      ALTER TABLE package_versions ADD COLUMN provenance TEXT;
    `,
  },
  {
    version: 11,
    name: 'sign-in with identity providers',
    sql: `
      -- Who an OpenID Connect provider says signed in (its issuer's name here and the ID token's sub), linked
      -- to one account; an account may have several. The email is the provider's, as last seen.
      CREATE TABLE external_identities (
        provider          TEXT NOT NULL,
        subject           TEXT NOT NULL,
        user_id           INTEGER NOT NULL REFERENCES accounts (account_id),
        email             TEXT,
        linked_at         TEXT NOT NULL,
        last_signed_in_at TEXT,
        PRIMARY KEY (provider, subject)
      );
      CREATE INDEX external_identities_by_user ON external_identities (user_id);

      -- A sign-in under way at a provider, found once by its state's hash; the nonce and the PKCE verifier are
      -- checked against what comes back, and the hash of a cookie binds it to the browser that started it.
      CREATE TABLE external_sign_in_flows (
        state_hash    TEXT PRIMARY KEY,
        browser_hash  TEXT NOT NULL,
        provider      TEXT NOT NULL,
        purpose       TEXT NOT NULL CHECK (purpose IN ('sign-in', 'link')),
        user_id       INTEGER REFERENCES accounts (account_id), -- linking: the signed-in user who asked
        nonce         TEXT NOT NULL,
        code_verifier TEXT NOT NULL,
        next_path     TEXT NOT NULL,
        expires_at    TEXT NOT NULL
      );

      -- The session's sign-in went through a provider whose ID token said it checked several factors, and the
      -- provider is trusted for that: it stands in for Pallet's own second factor.
      ALTER TABLE sessions ADD COLUMN provider_mfa INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 12,
    name: 'organizations and their members',
    sql: `
      -- nuget.org's organizations: an account of kind 'organization' whose members are users, each an admin
      -- (manages members and the organization's packages' owners) or a collaborator (pushes and unlists with
      -- keys acting for the organization). An organization always keeps one admin.
      CREATE TABLE organization_members (
        organization_id INTEGER NOT NULL REFERENCES accounts (account_id),
        user_id         INTEGER NOT NULL REFERENCES accounts (account_id),
        role            TEXT NOT NULL CHECK (role IN ('admin', 'collaborator')),
        added_at        TEXT NOT NULL,
        PRIMARY KEY (organization_id, user_id)
      );
      CREATE INDEX organization_members_by_user ON organization_members (user_id);
      -- An administrator's policy: every member of the organization must use two-factor authentication.
      ALTER TABLE accounts ADD COLUMN members_need_two_factor INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 13,
    name: 'email verification',
    sql: `
      -- A change of a user's email waits here until the link mailed to the new address is opened; the link's
      -- token is an HMAC of the row (security/email-verification.ts), so no secret is stored.
      CREATE TABLE email_verifications (
        verification_id INTEGER PRIMARY KEY,
        user_id         INTEGER NOT NULL REFERENCES accounts (account_id),
        email           TEXT NOT NULL,
        created_at      TEXT NOT NULL,
        expires_at      TEXT NOT NULL,
        used_at         TEXT
      );
      CREATE INDEX email_verifications_by_user ON email_verifications (user_id);
    `,
  },
  {
    version: 14,
    name: 'feed settings and members',
    sql: `
      -- A feed's read access and the versions it takes; the gallery (feed 1) stays public and takes any.
      ALTER TABLE feeds ADD COLUMN is_private INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE feeds ADD COLUMN accepts TEXT NOT NULL DEFAULT 'any' CHECK (accepts IN ('any', 'prerelease', 'stable'));
      -- Any account with a key may push (the owners of each id still decide), as to nuget.org: the gallery's
      -- way. Other feeds take pushes from their contributors only.
      ALTER TABLE feeds ADD COLUMN open_push INTEGER NOT NULL DEFAULT 0;
      UPDATE feeds SET open_push = 1 WHERE feed_id = 1;
      -- Who may read (a private feed), push and manage a feed: users, or organizations (for all their members).
      CREATE TABLE feed_members (
        feed_id    INTEGER NOT NULL REFERENCES feeds (feed_id),
        account_id INTEGER NOT NULL REFERENCES accounts (account_id),
        role       TEXT NOT NULL CHECK (role IN ('reader', 'contributor', 'owner')),
        added_at   TEXT NOT NULL,
        PRIMARY KEY (feed_id, account_id)
      );
      CREATE INDEX feed_members_by_account ON feed_members (account_id);
    `,
  },
  {
    version: 15,
    name: 'API keys limited to feeds',
    sql: `
      -- JSON array of the feed ids a key may be used in; NULL: every feed.
      ALTER TABLE api_keys ADD COLUMN feed_ids TEXT;
    `,
  },
  {
    version: 16,
    name: 'retention rules and pinned versions',
    sql: `
      -- A feed's retention rules (domain/retention.ts): per id the newest N versions they cover, and/or those
      -- younger than D days, are kept; NULL: no such rule. They cover pre-releases, and stable versions too
      -- when retention_covers_stable is set.
      ALTER TABLE feeds ADD COLUMN keep_newest INTEGER;
      ALTER TABLE feeds ADD COLUMN keep_days INTEGER;
      ALTER TABLE feeds ADD COLUMN retention_covers_stable INTEGER NOT NULL DEFAULT 0;
      -- Versions retention never lets go.
      CREATE TABLE version_pins (
        feed_id       INTEGER NOT NULL REFERENCES feeds (feed_id),
        id_lower      TEXT NOT NULL,
        version_lower TEXT NOT NULL,
        pinned_at     TEXT NOT NULL,
        PRIMARY KEY (feed_id, id_lower, version_lower)
      );
    `,
  },
  {
    version: 17,
    name: 'hard delete for scratch feeds',
    sql: `
      -- A scratch feed's owner may choose that delete deletes (the version's row goes; its blobs are swept once no
      -- feed refers to them). Never the gallery, whose versions are immutable.
      ALTER TABLE feeds ADD COLUMN hard_delete INTEGER NOT NULL DEFAULT 0 CHECK (hard_delete = 0 OR feed_id <> 1);
    `,
  },
  {
    version: 18,
    name: 'push targets upstream',
    sql: `
      -- Another NuGet server a feed publishes versions to (MyGet's "push upstream"): its push URL and API key,
      -- the key sealed with the configuration's secretsKey (security/secret-box.ts).
      CREATE TABLE feed_push_targets (
        target_id      INTEGER PRIMARY KEY,
        feed_id        INTEGER NOT NULL REFERENCES feeds (feed_id),
        name           TEXT NOT NULL,
        push_url       TEXT NOT NULL,
        api_key_sealed TEXT NOT NULL,
        created_at     TEXT NOT NULL,
        UNIQUE (feed_id, name)
      );
      -- What each push upstream answered, to show.
      CREATE TABLE push_results (
        result_id     INTEGER PRIMARY KEY,
        target_id     INTEGER NOT NULL REFERENCES feed_push_targets (target_id),
        id_lower      TEXT NOT NULL,
        version_lower TEXT NOT NULL,
        status        INTEGER,       -- the HTTP status; NULL when the server could not be reached
        message       TEXT NOT NULL,
        pushed_at     TEXT NOT NULL
      );
      CREATE INDEX push_results_by_target ON push_results (target_id, result_id);
    `,
  },
  {
    version: 19,
    name: 'upstream sources',
    sql: `
      -- A feed's upstream V3 sources, in priority order (JSON array of service index URLs): an id the feed does
      -- not hold of its own is restored through them, and what is downloaded is stored in the feed.
      ALTER TABLE feeds ADD COLUMN upstreams TEXT NOT NULL DEFAULT '[]';
      -- A version stored from an upstream source, not pushed: it does not make the id the feed's own.
      ALTER TABLE package_versions ADD COLUMN from_upstream INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 20,
    name: 'ids blocked from upstream',
    sql: `
      -- Package ids or globs (JSON array) an administrator keeps from a feed's upstream sources.
      ALTER TABLE feeds ADD COLUMN upstream_blocked TEXT NOT NULL DEFAULT '[]';
    `,
  },
  {
    version: 21,
    name: 'credentials for upstream sources',
    sql: `
      -- JSON object: upstream service index URL → its "user:password", sealed with secretsKey (security/secret-box.ts).
      ALTER TABLE feeds ADD COLUMN upstream_credentials TEXT NOT NULL DEFAULT '{}';
    `,
  },
];
