import { assertPageCount, type TextBudget } from './limits.js';
import { normalizeProse } from './normalize.js';
import { DocumentParseError, type ParseLimits, type ParsedSection } from './parsed-document.js';
import type { ParserOutput } from './parser-output.js';
import { drawingText, readRelationships, relationshipsPart, xmlElements } from './xml.js';
import { readZipSafely, type ZipEntries } from './zip-guard.js';

const PRESENTATION = 'ppt/presentation.xml';
const SLIDE_TYPE = /\/slide$/;
const NOTES_TYPE = /\/notesSlide$/;

// One section per slide, in presentation order, with the speaker notes appended.
export async function parsePptx(bytes: Buffer, limits: ParseLimits, budget: TextBudget): Promise<ParserOutput> {
  const entries = await readZipSafely(bytes, limits, 'PPTX', (name) => /\.(xml|rels)$/i.test(name));
  const slides = slideParts(entries);
  assertPageCount(slides.length, limits.maxPages, 'presentation', 'slides');
  const sections: ParsedSection[] = [];
  slides.forEach((part, index) => {
    const slideText = normalizeProse(drawingText(read(entries, part)));
    const notesPart = [...readRelationships(entries.get(relationshipsPart(part))?.toString('utf8'), part).values()].find(
      (relationship) => NOTES_TYPE.test(relationship.type),
    )?.target;
    // Notes slides also hold the slide number as a field; skip fields.
    const notes = notesPart && entries.has(notesPart) ? normalizeProse(drawingText(read(entries, notesPart), ['fld'])) : '';
    const text = [slideText, notes && `Notes: ${notes}`].filter(Boolean).join('\n\n');
    if (!text) return;
    budget.add(text);
    sections.push({ text, location: { slide: index + 1 } });
  });
  return { sections, pages: slides.length };
}

function read(entries: ZipEntries, part: string): string {
  return entries.get(part)?.toString('utf8') ?? '';
}

// Slide order comes from presentation.xml's sldIdLst, not from the part names.
function slideParts(entries: ZipEntries): string[] {
  const presentation = entries.get(PRESENTATION)?.toString('utf8');
  if (!presentation) {
    throw new DocumentParseError('The file is not a valid PPTX presentation (ppt/presentation.xml is missing)');
  }
  const relationships = readRelationships(entries.get(relationshipsPart(PRESENTATION))?.toString('utf8'), PRESENTATION);
  const parts: string[] = [];
  for (const slideId of xmlElements(presentation, 'sldId')) {
    const relationship = relationships.get(slideId['r:id'] ?? '');
    if (relationship && SLIDE_TYPE.test(relationship.type) && entries.has(relationship.target)) parts.push(relationship.target);
  }
  return parts;
}
