import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

// A caller-supplied x-request-id is kept when it is short and plain (it may be the id of a
// trace upstream); anything else is replaced. The id is also left on the raw request, so code
// that sees only the raw request (WebSocket upgrade) logs the same id the response returns.
export function requestIdFor(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && SAFE_ID.test(incoming) ? incoming : randomUUID();
  (req as IncomingMessage & { id?: string }).id = id;
  return id;
}
