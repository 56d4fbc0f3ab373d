// The fake LLM vendor in a process of its own, so it shares no event loop with the server or
// the load generator. Scripts arrive over IPC. A `stamped` script's tokens are `|<ms>|`, the
// time the vendor wrote each token (performance.timeOrigin + performance.now(), comparable
// across processes on one machine): the token array is a proxy that stamps an element when the
// vendor reads it, which it does right before writing it to the response.
import { startFakeVendor, type VendorScript } from '../support/fake-vendor.js';
import { now } from './ipc.js';

export interface VendorReady {
  url: string;
  openaiBaseUrl: string;
}

export interface ScriptMessage {
  type: 'script';
  id: number;
  model: string;
  script: VendorScript & { stampedTokens?: number };
}

export function stampedTokens(count: number): string[] {
  return new Proxy([] as string[], {
    get(target, prop, receiver) {
      if (prop === 'length') return count;
      if (typeof prop === 'string' && /^\d+$/.test(prop)) return `|${now().toFixed(3)}|`;
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}

const vendor = await startFakeVendor();
process.send?.({ url: vendor.url, openaiBaseUrl: vendor.openaiBaseUrl } satisfies VendorReady);

process.on('message', (message: ScriptMessage | { type: 'usage'; id: number } | 'stop') => {
  if (message === 'stop') {
    void vendor.close().finally(() => process.exit(0));
    return;
  }
  if (message.type === 'script') {
    const { stampedTokens: count, ...script } = message.script;
    vendor.script(message.model, count === undefined ? script : { ...script, tokens: stampedTokens(count) });
    // Keep the request log from growing through a long run.
    vendor.requests.length = 0;
    process.send?.({ id: message.id, at: now(), cpu: process.cpuUsage(), memory: process.memoryUsage() });
  } else if (message.type === 'usage') {
    vendor.requests.length = 0;
    process.send?.({ id: message.id, at: now(), cpu: process.cpuUsage(), memory: process.memoryUsage() });
  }
});
