import type { ParsedSection } from './parsed-document.js';

export interface ParserOutput {
  sections: ParsedSection[];
  pages?: number;
}
