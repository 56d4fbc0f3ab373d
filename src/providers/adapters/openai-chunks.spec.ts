import { describe, it } from 'node:test';
import { expect } from 'expect';
import { APIError } from 'openai';
import { chatCompletionChunks } from './openai-chunks.js';

// A response whose body arrives in exactly these network reads.
function responseOf(reads: string[]): { response: Response; cancelled: () => boolean } {
  let cancelled = false;
  const encoder = new TextEncoder();
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < reads.length) controller.enqueue(encoder.encode(reads[i++]));
      else controller.close();
    },
    cancel() {
      cancelled = true;
    },
  });
  return { response: new Response(body, { headers: { 'x-request-id': 'req_1' } }), cancelled: () => cancelled };
}

async function collect(response: Response): Promise<{ chunks: unknown[]; error?: unknown }> {
  const chunks: unknown[] = [];
  try {
    for await (const chunk of chatCompletionChunks(response)) chunks.push(chunk);
    return { chunks };
  } catch (error) {
    return { chunks, error };
  }
}

const chunk = (content: string) => ({ choices: [{ index: 0, delta: { content } }] });
const data = (value: unknown) => `data: ${JSON.stringify(value)}\n\n`;

describe('chatCompletionChunks', () => {
  it('yields each data event as parsed JSON, whatever the read boundaries, and stops at [DONE]', async () => {
    const wire = data(chunk('Hel')) + data(chunk('lo, ')) + ': keep-alive\n\n' + data(chunk('wörld')) + 'data: [DONE]\n\n';
    const bytes = new TextEncoder().encode(wire);
    // Cut in the middle of a line, of a blank-line separator and of the two bytes of "ö".
    const cut = [7, wire.indexOf('\n\n') + 1, bytes.indexOf(0xc3) + 1];
    const ends = [...cut, bytes.length];
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        ends.forEach((end, k) => controller.enqueue(bytes.slice(k === 0 ? 0 : ends[k - 1], end)));
        controller.close();
      },
    });
    const { chunks, error } = await collect(new Response(body));
    expect(error).toBeUndefined();
    expect(chunks).toEqual([chunk('Hel'), chunk('lo, '), chunk('wörld')]);
  });

  it('ignores what follows [DONE] and cancels the body', async () => {
    const { response, cancelled } = responseOf([data(chunk('a')) + 'data: [DONE]\n\n', data(chunk('late'))]);
    const { chunks } = await collect(response);
    expect(chunks).toEqual([chunk('a')]);
    expect(cancelled()).toBe(true);
  });

  it('reads a last event the server did not close with a blank line', async () => {
    const { response } = responseOf([data(chunk('a')), `data: ${JSON.stringify(chunk('b'))}`]);
    expect((await collect(response)).chunks).toEqual([chunk('a'), chunk('b')]);
  });

  it('turns an error field or an error event into the vendor APIError, after the chunks before it', async () => {
    for (const wire of [
      data({ error: { message: 'overloaded', type: 'server_error' } }),
      `event: error\ndata: ${JSON.stringify({ error: { message: 'overloaded', type: 'server_error' } })}\n\n`,
    ]) {
      const { response } = responseOf([data(chunk('a')), wire]);
      const { chunks, error } = await collect(response);
      expect(chunks).toEqual([chunk('a')]);
      expect(error).toBeInstanceOf(APIError);
      expect((error as APIError).message).toContain('overloaded');
      expect((error as APIError).type).toBe('server_error');
    }
  });

  it('refuses malformed JSON', async () => {
    const { response } = responseOf(['data: {"choices": [\n\n']);
    const { error } = await collect(response);
    expect(error).toBeInstanceOf(SyntaxError);
  });
});
