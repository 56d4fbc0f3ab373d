import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { getMetadataStorage } from 'class-validator';
import { expect } from 'expect';
import { EnvironmentVariables } from './environment.js';

// .env.example is the documented list of every variable: a new one must be added there too.
describe('.env.example', () => {
  it('names every variable the service reads', () => {
    const declared = new Set(
      getMetadataStorage()
        .getTargetValidationMetadatas(EnvironmentVariables, '', false, false)
        .map((m) => m.propertyName),
    );
    const text = readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8');
    const documented = new Set([...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    expect(declared.size).toBeGreaterThan(50);
    expect([...declared].filter((name) => !documented.has(name)).sort()).toEqual([]);
  });
});
