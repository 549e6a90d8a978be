/**
 * Feeds: every package, version and search row belongs to one. An instance holds any number of feeds; the
 * gallery (served at `/v3/index.json`) is the default feed, created with the schema as feed 1, so data from
 * before feeds existed is the gallery's.
 */

/** A feed's key in every stored row (`feeds.feed_id`). */
export type FeedId = number;

/** The gallery. */
export const DEFAULT_FEED_ID: FeedId = 1;
