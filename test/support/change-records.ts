/** Push records and events for tests that write to a store directly, as the configured administrator key would. */
import type { PushRecord } from '../../src/app/ports.ts';
import type { NewEvent } from '../../src/app/events.ts';

const ACTOR = { userId: undefined, key: undefined, label: 'configured API key', clientAddress: undefined } as const;

/** The event a store records with a change a test makes; its details do not matter to the store. */
export const TEST_EVENT: NewEvent = { kind: 'package.pushed', at: new Date('2024-05-01T12:00:00.000Z'), actor: ACTOR };

/** A push with the configured administrator key: no owner claimed or checked. */
export const ADMIN_PUSH: PushRecord = { ownerAccountId: undefined, event: TEST_EVENT };
