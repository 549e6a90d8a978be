/**
 * Feeds declared in the configuration (configuration as code), applied at each start of the primary
 * process: a missing feed is created, an existing one brought to the declared settings, and the declared
 * members added or given their role. Applying twice changes nothing; members added elsewhere are left, and
 * nothing is deleted. A problem with one feed (an unknown account) is reported and the others still applied.
 */
import type { DeclaredFeed } from '../../config/schema.ts';
import { AppError } from '../../errors.ts';
import { COMMAND_LINE, type ChangeActor } from '../events.ts';
import type { Logger } from '../logger.ts';
import { createFeed, setFeedMember, updateFeed, type FeedDependencies } from './manage-feeds.ts';

/** The configuration's changes are recorded as the server's own. */
const CONFIGURATION: ChangeActor = { ...COMMAND_LINE, label: 'configuration' };
const ADMINISTRATOR = { actor: { kind: 'configured-key' as const }, clientAddress: undefined };

export async function applyDeclaredFeeds(deps: FeedDependencies & { readonly log: Logger }, declared: Readonly<Record<string, DeclaredFeed>>): Promise<void> {
  for (const [name, settings] of Object.entries(declared)) {
    try {
      const existing = await deps.feeds.feedByName(name);
      if (existing === undefined) {
        await createFeed(deps, ADMINISTRATOR, { name, isPrivate: settings.private, accepts: settings.accepts }, CONFIGURATION);
        deps.log.info({ feed: name }, 'feed created from the configuration');
      } else if (existing.isPrivate !== settings.private || existing.accepts !== settings.accepts) {
        await updateFeed(deps, ADMINISTRATOR, { name, isPrivate: settings.private, accepts: settings.accepts }, CONFIGURATION);
        deps.log.info({ feed: name }, 'feed brought to the configuration');
      }
      const feed = await deps.feeds.feedByName(name);
      if (feed === undefined) continue;
      // The owner is a member like the others: an account made after the feed gets its role at the next start.
      const declaredMembers = { ...settings.members, ...(settings.owner === undefined ? {} : { [settings.owner]: 'owner' as const }) };
      const members = await deps.feeds.members(feed.feedId);
      for (const [account, role] of Object.entries(declaredMembers)) {
        if (members.some((member) => member.account.name.toLowerCase() === account.toLowerCase() && member.role === role)) continue;
        try {
          await setFeedMember(deps, ADMINISTRATOR, { feed: name, accountName: account, role }, CONFIGURATION);
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          deps.log.warn({ feed: name, member: account, reason: error.message }, 'a member of a feed of the configuration was not added');
        }
      }
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      deps.log.warn({ feed: name, reason: error.message }, 'a feed of the configuration was not applied');
    }
  }
}
