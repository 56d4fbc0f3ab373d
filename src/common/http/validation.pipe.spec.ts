import 'reflect-metadata';
import { describe, it } from 'node:test';
import { expect } from 'expect';
import { IsString } from 'class-validator';
import { SendMessageDto } from '../../messages/dto/message.dto.js';
import { MAX_TEXT_CHARS } from '../../messages/dto/content-part.dto.js';
import { PageQueryDto } from '../pagination/cursor.js';
import { createValidationPipe } from './validation.pipe.js';

class NeedsQ {
  @IsString()
  q!: string;
}

describe('validation pipe', () => {
  const query = (metatype: new () => object) => ({ type: 'query' as const, metatype });

  it('gives the defaults for empty queries, the first time through validation and later without', async () => {
    const pipe = createValidationPipe();
    for (let i = 0; i < 3; i++) {
      const value = await pipe.transform({}, query(PageQueryDto));
      expect(value).toBeInstanceOf(PageQueryDto);
      expect(value).toEqual(Object.assign(new PageQueryDto(), { limit: 20 }));
    }
  });

  it('still validates every non-empty query', async () => {
    const pipe = createValidationPipe();
    await pipe.transform({}, query(PageQueryDto));
    expect(await pipe.transform({ limit: '5' }, query(PageQueryDto))).toMatchObject({ limit: 5 });
    await expect(pipe.transform({ limit: '0' }, query(PageQueryDto))).rejects.toThrow();
    await expect(pipe.transform({ role: 'admin' }, query(PageQueryDto))).rejects.toThrow();
  });

  it('refuses an empty query every time when the DTO needs a field', async () => {
    const pipe = createValidationPipe();
    for (let i = 0; i < 2; i++) await expect(pipe.transform({}, query(NeedsQ))).rejects.toThrow();
  });

  // The same DTO without its own check: what class-transformer and class-validator make of a body.
  class FullySendMessageDto extends SendMessageDto {
    static override acceptPlain = undefined as never;
  }
  const body = (metatype: new () => object) => ({ type: 'body' as const, metatype });
  const settle = (p: Promise<unknown>) => p.then((value) => ({ value }), (err: unknown) => ({ refused: (err as Error).constructor.name, message: (err as Error).message }));

  it("checks a message body's usual shapes itself, exactly as class-validator would, and leaves the rest to it", async () => {
    const pipe = createValidationPipe();
    const valid = [
      { content: 'hi' },
      { content: '😀' },
      { content: '\uFE0F' },
      { content: 'x', parentId: null },
      { content: 'x', parentId: '01a237f1-1c6d-732f-adf0-c445b474a176' },
      { content: 'a'.repeat(MAX_TEXT_CHARS) },
    ];
    const others = [
      {},
      { content: '' },
      { content: 'a'.repeat(MAX_TEXT_CHARS + 1) },
      { content: 5 },
      { content: 'x', parentId: 'nope' },
      { content: 'x', role: 'system' },
      { content: 'x', contentParts: [{ type: 'text', text: 'y' }] },
      { contentParts: [{ type: 'text', text: 'y' }] },
    ];
    for (const b of valid) {
      const own = SendMessageDto.acceptPlain(b);
      expect(own).toBeInstanceOf(SendMessageDto);
      const piped = await pipe.transform(b, body(SendMessageDto));
      expect(piped).toBeInstanceOf(SendMessageDto);
      expect(piped).toEqual(own);
      expect(piped).toEqual(await pipe.transform(b, body(FullySendMessageDto)));
    }
    for (const b of others) {
      expect(SendMessageDto.acceptPlain(b as Record<string, unknown>)).toBeUndefined();
      expect(await settle(pipe.transform(b, body(SendMessageDto)))).toEqual(await settle(pipe.transform(b, body(FullySendMessageDto))));
    }
  });
});

