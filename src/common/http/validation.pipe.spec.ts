import 'reflect-metadata';
import { describe, it } from 'node:test';
import { expect } from 'expect';
import { IsString } from 'class-validator';
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
});
