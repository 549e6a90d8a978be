/**
 * Which feed a request to a NuGet route reads or writes. Every route asks this instead of assuming one
 * feed; the routes are registered at the site root for the gallery (the default feed), and the same routes
 * are meant to be mounted under `/feeds/{name}` with a resolver that reads the name (issue 8).
 */
import type { FastifyRequest } from 'fastify';
import { DEFAULT_FEED_ID, type FeedId } from '../domain/feed.ts';

export type FeedOf = (request: FastifyRequest) => FeedId;

/** The routes at the site root serve the gallery. */
export const galleryFeed: FeedOf = () => DEFAULT_FEED_ID;
