import type { ContentPart } from '../providers/provider.types.js';
import type { ArchiveMessage, ArchiveSession } from './transfer.repository.js';

// The current branch as a Markdown document (images are not inlined: they may be megabytes).
export function toMarkdown(session: ArchiveSession, branch: ArchiveMessage[]): string {
  const lines = [`# ${oneLine(session.title ?? 'Untitled conversation')}`, ''];
  lines.push(`*${session.provider}/${session.model} · exported ${new Date().toISOString()}*`, '');
  if (session.systemPrompt) lines.push('## System', '', session.systemPrompt, '');
  for (const m of branch) {
    const who = m.role === 'user' ? 'User' : `Assistant${m.model ? ` (${m.model})` : ''}`;
    lines.push(`## ${who}`, '', `<sub>${m.createdAt.toISOString()}</sub>`, '');
    for (const part of m.contentParts) lines.push(renderPart(part), '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

function renderPart(part: ContentPart): string {
  switch (part.type) {
    case 'text':
      return part.text;
    case 'reasoning':
      return `<details><summary>Reasoning</summary>\n\n${part.text}\n\n</details>`;
    case 'image':
      return `*[image: ${part.mimeType}]*`;
    case 'file':
      return `*[file${part.name ? `: ${part.name}` : ''}]*`;
    case 'tool-call':
      return `Tool call \`${part.name}\`:\n\n\`\`\`json\n${part.arguments}\n\`\`\``;
    case 'tool-result':
      return `Tool result${part.name ? ` \`${part.name}\`` : ''}:\n\n\`\`\`\n${part.result}\n\`\`\``;
  }
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

// An ASCII file name for Content-Disposition, plus the exact one as RFC 5987 filename*.
export function attachment(title: string | null, extension: string): string {
  const base = (title ?? 'conversation').trim() || 'conversation';
  const ascii = base.replace(/[^A-Za-z0-9 ._-]+/g, '').replace(/\s+/g, '-').slice(0, 80) || 'conversation';
  return `attachment; filename="${ascii}.${extension}"; filename*=UTF-8''${encodeURIComponent(`${base.slice(0, 80)}.${extension}`)}`;
}
