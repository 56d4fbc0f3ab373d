import { posix } from 'node:path';
import { Parser } from 'htmlparser2';

// Small readers over htmlparser2's XML mode for package parts (relationships, OPF, slides).
// Elements are matched by local name, since prefixes vary between producers.

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

export function xmlElements(xml: string, name: string): Record<string, string>[] {
  const found: Record<string, string>[] = [];
  const parser = new Parser(
    {
      onopentag(tag, attributes) {
        if (localName(tag) === name) found.push(attributes);
      },
    },
    { xmlMode: true, decodeEntities: true },
  );
  parser.write(xml);
  parser.end();
  return found;
}

// Text of DrawingML `t` runs, one line per `p` paragraph; `skip` drops elements such as fields.
export function drawingText(xml: string, skip: string[] = []): string {
  const lines: string[] = [];
  let line: string[] = [];
  let inText = 0;
  let skipDepth = 0;
  const parser = new Parser(
    {
      onopentag(tag) {
        const name = localName(tag);
        if (skip.includes(name)) skipDepth++;
        if (name === 't') inText++;
      },
      ontext(text) {
        if (inText > 0 && skipDepth === 0) line.push(text);
      },
      onclosetag(tag) {
        const name = localName(tag);
        if (skip.includes(name)) skipDepth--;
        if (name === 't') inText--;
        if (name === 'p' || name === 'br') {
          lines.push(line.join(''));
          line = [];
        }
      },
    },
    { xmlMode: true, decodeEntities: true },
  );
  parser.write(xml);
  parser.end();
  lines.push(line.join(''));
  return lines.join('\n');
}

export interface Relationship {
  type: string;
  target: string;
}

// Relationship id -> part path, resolved against the part that owns the .rels file.
export function readRelationships(xml: string | undefined, ownerPart: string): Map<string, Relationship> {
  const relationships = new Map<string, Relationship>();
  if (!xml) return relationships;
  for (const attributes of xmlElements(xml, 'Relationship')) {
    if (!attributes.Id || !attributes.Target || attributes.TargetMode === 'External') continue;
    relationships.set(attributes.Id, { type: attributes.Type ?? '', target: resolvePart(ownerPart, attributes.Target) });
  }
  return relationships;
}

export function relationshipsPart(part: string): string {
  return posix.join(posix.dirname(part), '_rels', `${posix.basename(part)}.rels`);
}

export function resolvePart(ownerPart: string, target: string): string {
  const path = safeDecode(target.split('#')[0]);
  if (path.startsWith('/')) return posix.normalize(path.slice(1));
  return posix.normalize(posix.join(posix.dirname(ownerPart), path));
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
