import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestContext {
  requestId: string;
}

// Only with LOG_REQUEST_CONTEXT=true. On Node 20 a live AsyncLocalStorage makes Node track every
// promise of the process (async hooks: about a twentieth of the CPU of a small request, and of
// streaming); the storage is therefore created only when asked for.
let storage: AsyncLocalStorage<RequestContext> | undefined;

export function enableRequestContext(): AsyncLocalStorage<RequestContext> {
  storage ??= new AsyncLocalStorage<RequestContext>();
  return storage;
}

export function currentRequestContext(): RequestContext | undefined {
  return storage?.getStore();
}
