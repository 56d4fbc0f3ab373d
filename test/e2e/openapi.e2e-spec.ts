import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import request from 'supertest';
import { SESSION_PAGE_SCHEMA } from '../../src/sessions/dto/session.dto.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// The committed contract. Regenerate after an intended API change with
// `UPDATE_OPENAPI_SNAPSHOT=1 npm run test:e2e`.
const SNAPSHOT = join(process.cwd(), 'test', 'openapi.snapshot.json');
const PUBLIC_ROUTES = new Set([
  'get /health/live',
  'get /health/ready',
  'get /metrics',
  'post /api/v1/auth/register',
  'post /api/v1/auth/login',
  'post /api/v1/auth/refresh',
  'get /api/v1/shared/{token}',
]);

type Operation = {
  summary?: string;
  requestBody?: { content: Record<string, { schema?: unknown }> };
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
};

let t: TestApp;
let doc: { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };

before(async () => {
  t = await startTestApp();
  doc = (await request(t.url).get('/api/docs-json').expect(200)).body;
});
after(() => t.close());

describe('OpenAPI document', () => {
  it('documents every route with a summary, a success schema and problem responses', () => {
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ route: `${method} ${path}`, op })),
    );
    expect(operations.length).toBeGreaterThanOrEqual(13);
    const gaps: string[] = [];
    for (const { route, op } of operations) {
      if (!op.summary?.trim()) gaps.push(`${route}: no summary`);
      const statuses = Object.keys(op.responses);
      const success = statuses.filter((s) => s.startsWith('2'));
      if (success.length === 0) gaps.push(`${route}: no success response`);
      for (const s of success) {
        const content = op.responses[s].content;
        if (s !== '204' && !Object.values(content ?? {}).some((c) => c.schema)) gaps.push(`${route}: ${s} has no schema`);
      }
      const problems = statuses.filter((s) => /^[45]/.test(s));
      if (problems.length === 0) gaps.push(`${route}: no error responses`);
      // The OpenAI-compatible routes answer errors in OpenAI's shape instead.
      const openai = route.split(' ')[1].startsWith('/v1/');
      for (const s of problems) {
        const content = op.responses[s].content;
        const documented = openai
          ? (content?.['application/json']?.schema as { $ref?: string } | undefined)?.$ref === '#/components/schemas/OpenAIErrorResponseDto'
          : content?.['application/problem+json'] !== undefined;
        if (!documented && s !== '503') gaps.push(`${route}: ${s} is not a ${openai ? 'OpenAI error' : 'problem'}`);
      }
      if (!PUBLIC_ROUTES.has(route) && !statuses.includes('401')) gaps.push(`${route}: no 401`);
      if (op.requestBody && !Object.values(op.requestBody.content).some((c) => c.schema)) gaps.push(`${route}: body without schema`);
    }
    expect(gaps).toEqual([]);
  });

  it('matches the committed snapshot', () => {
    const current = `${JSON.stringify(doc, null, 2)}\n`;
    if (process.env.UPDATE_OPENAPI_SNAPSHOT === '1' || !existsSync(SNAPSHOT)) {
      writeFileSync(SNAPSHOT, current);
    }
    expect(JSON.parse(current)).toEqual(JSON.parse(readFileSync(SNAPSHOT, 'utf8')));
  });

  // A route's response serializer writes only what its schema names: the schema must describe the
  // documented DTO, every field with its type, nullability and presence.
  it('gives the session list serializer the documented SessionPageDto, field for field', () => {
    expect(shapeOf(SESSION_PAGE_SCHEMA as Schema)).toEqual(shapeOf({ $ref: '#/components/schemas/SessionPageDto' }));
  });
});

type Schema = { $ref?: string; type?: string; nullable?: boolean; properties?: Record<string, Schema>; required?: string[]; items?: Schema };

// The parts of a schema that decide what a serializer writes, with $refs resolved.
function shapeOf(schema: Schema): unknown {
  const s = schema.$ref ? (doc.components.schemas[schema.$ref.split('/').pop()!] as Schema) : schema;
  return {
    type: s.type,
    nullable: s.nullable === true,
    ...(s.properties && {
      properties: Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, shapeOf(v)])),
      required: [...(s.required ?? [])].sort(),
    }),
    ...(s.items && { items: shapeOf(s.items) }),
  };
}
