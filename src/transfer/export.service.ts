import type { ServerResponse } from 'node:http';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { settingsOf } from '../sessions/dto/session.dto.js';
import { SessionsService } from '../sessions/sessions.service.js';
import type { ExportDocumentDto, ExportedSessionDto } from './dto/transfer.dto.js';
import { EXPORT_FORMAT, EXPORT_VERSION } from './formats/native.format.js';
import { attachment, toMarkdown } from './markdown.js';
import { type ArchiveMessage, type ArchiveSession, TransferRepository } from './transfer.repository.js';

const PAGE = 20;

@Injectable()
export class ExportService {
  private readonly logger = new Logger(ExportService.name);

  constructor(
    @Inject(SessionsService) private readonly sessions: SessionsService,
    @Inject(TransferRepository) private readonly repository: TransferRepository,
  ) {}

  async json(userId: string, id: string): Promise<{ document: ExportDocumentDto; disposition: string }> {
    const session = await this.readable(userId, id);
    const messages = await this.repository.sessionMessages(id);
    return {
      document: { ...header(), sessions: [toExported(session, messages)] },
      disposition: attachment(session.title, 'json'),
    };
  }

  async markdown(userId: string, id: string): Promise<{ text: string; disposition: string }> {
    const session = await this.readable(userId, id);
    const messages = await this.repository.sessionMessages(id);
    return { text: toMarkdown(session, currentBranch(messages, session.currentLeafId)), disposition: attachment(session.title, 'md') };
  }

  // Every session of the user as one JSON document, written session by session as pages are
  // read, waiting for the client whenever the socket buffer is full.
  async streamAll(userId: string, reply: FastifyReply): Promise<void> {
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'application/json; charset=utf-8',
      'content-disposition': attachment('conversations', 'json'),
      'cache-control': 'no-store',
    });
    const write = async (chunk: string): Promise<void> => {
      if (raw.destroyed) throw new Error('client went away');
      if (!raw.write(chunk)) await drained(raw);
    };
    try {
      await write(`${JSON.stringify(header()).slice(0, -1)},"sessions":[`);
      let after: string | null = null;
      let first = true;
      for (;;) {
        const page = await this.repository.pageOwnedSessions(userId, after, PAGE);
        for (const session of page) {
          const messages = await this.repository.sessionMessages(session.id);
          await write(`${first ? '' : ','}${JSON.stringify(toExported(session, messages))}`);
          first = false;
        }
        if (page.length < PAGE) break;
        after = page[page.length - 1].id;
      }
      await write(']}');
      raw.end();
    } catch (err) {
      // Headers are gone: cutting the connection leaves the client an invalid (not a silently
      // truncated but valid) document.
      if (!raw.destroyed) this.logger.error({ err }, 'Bulk export failed');
      raw.destroy();
    }
  }

  // Owners and group members may export a conversation they can read.
  private async readable(userId: string, id: string): Promise<ArchiveSession> {
    return this.sessions.requireReadable(userId, id);
  }
}

function header(): Omit<ExportDocumentDto, 'sessions'> {
  return { format: EXPORT_FORMAT, version: EXPORT_VERSION, exportedAt: new Date().toISOString() };
}

function toExported(s: ArchiveSession, messages: ArchiveMessage[]): ExportedSessionDto {
  return {
    id: s.id,
    title: s.title,
    settings: settingsOf(s),
    pinned: s.pinned,
    archived: s.archived,
    folder: s.folder,
    tags: s.tags,
    currentLeafId: s.currentLeafId,
    createdAt: s.createdAt.toISOString(),
    lastActivityAt: s.lastActivityAt.toISOString(),
    messages: messages.map((m) => ({
      id: m.id,
      parentId: m.parentId,
      role: m.role,
      status: m.status,
      contentParts: m.contentParts,
      content: m.content,
      provider: m.provider,
      model: m.model,
      usage: { inputTokens: m.inputTokens, outputTokens: m.outputTokens, reasoningTokens: m.reasoningTokens, estimated: m.usageEstimated },
      createdAt: m.createdAt.toISOString(),
    })),
  };
}

function drained(raw: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      raw.off('drain', done);
      raw.off('close', done);
      resolve();
    };
    raw.on('drain', done);
    raw.on('close', done);
  });
}

function currentBranch(messages: ArchiveMessage[], leafId: string | null): ArchiveMessage[] {
  const byId = new Map(messages.map((m) => [m.id, m]));
  const branch: ArchiveMessage[] = [];
  for (let m = leafId ? byId.get(leafId) : undefined; m; m = m.parentId ? byId.get(m.parentId) : undefined) branch.push(m);
  return branch.reverse();
}
