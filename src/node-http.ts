/**
 * `node:http`, loaded with require. Imported as an ES module, Node builds its namespace by reading every
 * export, the lazy WebSocket, EventSource and fetch classes among them, which loads undici: about 50 ms of
 * every start on this project's machines, for classes the server never uses. Types still come from a plain
 * `import type … from 'node:http'`.
 */
import { createRequire } from 'node:module';

const nodeHttp = createRequire(import.meta.url)('node:http') as typeof import('node:http');

export const { createServer, request, STATUS_CODES } = nodeHttp;
