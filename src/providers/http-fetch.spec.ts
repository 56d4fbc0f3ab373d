import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { APIError } from 'openai';
import { chatCompletionChunks } from './adapters/openai-chunks.js';
import { forceGc } from '../../test/support/force-gc.js';
import { createHttpFetch, nodeBodyOf } from './http-fetch.js';

const chunk = (content: string) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content } }] })}\n\n`;

describe('createHttpFetch', () => {
  let server: http.Server;
  let base: string;
  let connections = 0;
  const closed: string[] = [];
  before(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (b: Buffer) => (body += b.toString()));
      req.on('end', () => {
        if (req.url === '/redirect') return res.writeHead(302, { location: 'http://169.254.169.254/' }).end();
        if (req.url === '/json') return res.writeHead(200, { 'content-type': 'application/json', 'x-echo': req.headers['x-test'] }).end(body);
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        if (req.url === '/error') {
          res.write(chunk('a'));
          return setTimeout(() => res.end(`event: error\ndata: ${JSON.stringify({ error: { message: 'overloaded', type: 'server_error' } })}\n\n`), 5);
        }
        if (req.url === '/cut') {
          res.write(chunk('a'));
          return setTimeout(() => res.socket?.destroy(), 5);
        }
        if (req.url === '/endless') {
          res.write(chunk('first'));
          res.on('close', () => closed.push(req.url!));
          return;
        }
        res.write(chunk('a'));
        setTimeout(() => res.end(chunk('b') + 'data: [DONE]\n\n'), 5);
      });
    });
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  const contents = async (response: Response) => {
    const out: string[] = [];
    for await (const c of chatCompletionChunks(response)) out.push(c.choices[0].delta.content ?? '');
    return out;
  };

  it('streams a body as its Node stream and reuses the connection for the next request', async () => {
    const fetch = createHttpFetch();
    const before = connections;
    expect(await contents(await fetch(`${base}/stream`, { method: 'POST', body: '{}' }))).toEqual(['a', 'b']);
    expect(await contents(await fetch(`${base}/stream`, { method: 'POST', body: '{}' }))).toEqual(['a', 'b']);
    expect(connections - before).toBe(1);
  });

  it('sends the method, headers and body, and reads a body through the web API too', async () => {
    const fetch = createHttpFetch();
    const response = await fetch(`${base}/json`, { method: 'POST', headers: { 'x-test': 'yes' }, body: '{"q":1}' });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-echo')).toBe('yes');
    expect(await response.json()).toEqual({ q: 1 });
    // Read as a web stream: no longer available as the Node stream.
    expect(nodeBodyOf(response)).toBeUndefined();
  });

  it('cuts the connection when the reader stops, or when the signal aborts', async () => {
    const fetch = createHttpFetch();
    for (const stop of ['return', 'abort'] as const) {
      const controller = new AbortController();
      const response = await fetch(`${base}/endless`, { method: 'POST', body: '{}', signal: controller.signal });
      const before = closed.length;
      try {
        for await (const c of chatCompletionChunks(response)) {
          expect(c.choices[0].delta.content).toBe('first');
          if (stop === 'return') break;
          controller.abort();
        }
      } catch (err) {
        expect(stop).toBe('abort');
        expect((err as Error).name).toBe('AbortError');
      }
      for (let i = 0; i < 100 && closed.length === before; i++) await new Promise((r) => setTimeout(r, 10));
      expect(closed.length).toBe(before + 1);
    }
  });

  it('is cut by the signal given with a Request, which the Request follows only weakly', async () => {
    const fetch = createHttpFetch();
    const controller = new AbortController();
    const response = await fetch(new Request(`${base}/endless`, { method: 'POST', body: '{}' }), { signal: controller.signal });
    const before = closed.length;
    forceGc();
    controller.abort();
    expect(response.status).toBe(200);
    for (let i = 0; i < 100 && closed.length === before; i++) await new Promise((r) => setTimeout(r, 10));
    expect(closed.length).toBe(before + 1);
  });

  it('reads the Node stream to the chunks before a vendor error event or a cut connection, then fails', async () => {
    const fetch = createHttpFetch();
    const read = async (path: string) => {
      const out: string[] = [];
      try {
        for await (const c of chatCompletionChunks(await fetch(`${base}${path}`, { method: 'POST', body: '{}' }))) out.push(c.choices[0].delta.content ?? '');
      } catch (error) {
        return { out, error };
      }
      return { out, error: undefined };
    };
    const vendorError = await read('/error');
    expect(vendorError.out).toEqual(['a']);
    expect(vendorError.error).toBeInstanceOf(APIError);
    expect((vendorError.error as APIError).type).toBe('server_error');
    const cut = await read('/cut');
    expect(cut.out).toEqual(['a']);
    expect(cut.error).toBeInstanceOf(Error);
  });

  it('does not follow a redirect', async () => {
    const fetch = createHttpFetch({ redirectError: (message) => new RangeError(message) });
    await expect(fetch(`${base}/redirect`)).rejects.toBeInstanceOf(RangeError);
  });
});
