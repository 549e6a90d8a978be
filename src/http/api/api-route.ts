/**
 * A route of the management API, declared once: its zod schemas validate the request body and describe the
 * answer, and the OpenAPI document (`/api/v1/openapi.json`) is generated from the same declarations, so the
 * document cannot drift from what is checked.
 */
import type { z } from 'zod';
import { AppError } from '../../errors.ts';
import type { Actor, Caller } from '../../app/actor.ts';

/** `anyone`: the route authenticates its own way (a CI token in the body). */
export type ApiAccess = 'anyone' | 'signed-in' | 'administrator';

export interface ApiRequest<Body> {
  readonly caller: Caller;
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string | undefined>>;
  readonly body: Body;
}

export interface ApiRoute<Body = unknown, Answer = unknown> {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** Fastify's form: `/api/v1/me/api-keys/:name`. */
  readonly path: string;
  readonly summary: string;
  readonly access: ApiAccess;
  readonly body?: z.ZodType<Body>;
  readonly answer: z.ZodType<Answer>;
  /** 200 unless said. */
  readonly status?: number;
  handle(request: ApiRequest<Body>): Promise<Answer>;
}

/** Keeps a route's body and answer types checked against its schemas where it is declared. */
export function apiRoute<Body, Answer>(route: ApiRoute<Body, Answer>): ApiRoute<Body, Answer> {
  return route;
}

/** The user a call is about (the signed-in user, or a key's holder); the configured key has none. */
export function userOf(actor: Actor): { accountId: number; name: string } {
  if (actor.kind === 'api-key' || actor.kind === 'session') return actor.user;
  throw new AppError('FORBIDDEN', 'This is about a user account; the configured API key has none.');
}

/** A numeric id from the path, written as digits only: `0x10` or `1e3` name nothing. */
export function idParam(text: string | undefined, what: string): number {
  if (text === undefined || !/^\d{1,15}$/.test(text)) throw new AppError('NOT_FOUND', `There is no ${what} ${(text ?? '').slice(0, 40)}.`);
  return Number(text);
}
