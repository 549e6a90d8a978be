/**
 * A route of the management API, declared once: its zod schemas validate the request body and describe the
 * answer, and the OpenAPI document (`/api/v1/openapi.json`) is generated from the same declarations, so the
 * document cannot drift from what is checked.
 */
import type { z } from 'zod';
import type { Caller } from '../../app/actor.ts';

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
