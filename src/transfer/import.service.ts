import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppError, CommonErrorCode } from '../common/errors/domain-error.js';
import { RequestValidationError } from '../common/errors/validation.error.js';
import { newId } from '../common/ids.js';
import { textOf } from '../messages/content-parts.js';
import { ProvidersService } from '../providers/providers.service.js';
import type { ContentPart } from '../providers/provider.types.js';
import type { ImportResultDto } from './dto/transfer.dto.js';
import { isChatboxBackup, parseChatbox } from './formats/chatbox.format.js';
import { isChatGptExport, parseChatGpt } from './formats/chatgpt.format.js';
import { type ImportedSession, isObject, Problems, topologicalOrder } from './formats/import-model.js';
import { isNativeExport, parseNative } from './formats/native.format.js';
import { type ArchiveMessage, type ArchiveSession, TransferRepository } from './transfer.repository.js';

// Imports a whole file in one transaction: every session of it, or (on any error) none.
@Injectable()
export class ImportService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(TransferRepository) private readonly repository: TransferRepository,
    @Inject(ProvidersService) private readonly providers: ProvidersService,
  ) {}

  async import(userId: string, body: unknown): Promise<ImportResultDto> {
    const sessions = this.parse(body);
    const archives = sessions.map((s) => this.toArchive(s));
    await this.dataSource.transaction(async (manager) => {
      await this.repository.insertSessions(userId, archives.map((a) => a.session), manager);
      for (const { session, messages } of archives) await this.repository.insertMessages(userId, session.id, messages, manager);
      const leaves = archives.flatMap((a) => (a.leafId ? [{ sessionId: a.session.id, leafId: a.leafId }] : []));
      await this.repository.setLeaves(leaves, manager);
    });
    return {
      imported: { sessions: archives.length, messages: archives.reduce((n, a) => n + a.messages.length, 0) },
      sessionIds: archives.map((a) => a.session.id),
    };
  }

  // Detects the format and validates the whole file before anything is written.
  private parse(body: unknown): ImportedSession[] {
    const problems = new Problems();
    let sessions: ImportedSession[];
    if (isNativeExport(body)) sessions = parseNative(problems, body as Record<string, unknown>);
    else if (isChatGptExport(body)) sessions = parseChatGpt(problems, body as unknown[]);
    else if (isChatboxBackup(body)) sessions = parseChatbox(problems, body as Record<string, unknown>);
    else if (isObject(body) && 'mapping' in body) sessions = parseChatGpt(problems, [body]);
    else {
      throw new AppError(
        CommonErrorCode.BadRequest,
        "Unrecognized file: expected this API's export, a Chatbox backup ({sessions: [...]}) or ChatGPT's conversations.json",
      );
    }
    if (problems.errors.length > 0) throw new RequestValidationError(problems.errors);
    if (sessions.length === 0) throw new AppError(CommonErrorCode.BadRequest, 'The file holds no conversations');
    return sessions;
  }

  // New ids for everything: imported ids only link parents and children.
  private toArchive(s: ImportedSession): { session: ArchiveSession; messages: ArchiveMessage[]; leafId: string | null } {
    const route = s.settings.provider && s.settings.model ? { provider: s.settings.provider, model: s.settings.model } : this.providers.defaultRoute();
    if (!route) {
      throw new AppError(CommonErrorCode.BadRequest, 'The file names no model and the server has no default model configured');
    }
    const ids = new Map<string, string>();
    const start = s.createdAt ?? s.messages.find((m) => m.createdAt)?.createdAt ?? new Date();
    const messages: ArchiveMessage[] = [];
    const created = new Map<string, Date>();
    for (const m of topologicalOrder(s.messages) ?? []) {
      const id = newId();
      ids.set(m.key, id);
      // A message without a time follows its parent by a millisecond, keeping the order.
      const parentTime = m.parentKey === null ? start : created.get(m.parentKey)!;
      const createdAt = m.createdAt ?? new Date(parentTime.getTime() + 1);
      created.set(m.key, createdAt);
      const parts = m.contentParts.map(stripNul);
      messages.push({
        id,
        parentId: m.parentKey === null ? null : ids.get(m.parentKey)!,
        role: m.role,
        status: 'completed',
        contentParts: parts,
        content: textOf(parts),
        provider: m.provider === null ? null : noNul(m.provider),
        model: m.model === null ? null : noNul(m.model),
        inputTokens: m.usage.inputTokens,
        outputTokens: m.usage.outputTokens,
        reasoningTokens: m.usage.reasoningTokens,
        usageEstimated: m.usage.estimated ?? false,
        createdAt,
      });
    }
    const latest = messages.reduce((t, m) => Math.max(t, m.createdAt.getTime()), start.getTime());
    const leafKey = s.currentLeafKey ?? s.messages.at(-1)?.key ?? null;
    return {
      session: {
        id: newId(),
        title: s.title?.trim() ? noNul(s.title.trim().slice(0, 200)) : null,
        provider: route.provider,
        model: route.model,
        systemPrompt: s.settings.systemPrompt === null ? null : noNul(s.settings.systemPrompt),
        temperature: s.settings.temperature,
        maxTokens: s.settings.maxTokens,
        contextMessages: s.settings.contextMessages,
        pinned: s.pinned,
        archived: s.archived,
        folder: s.folder?.trim() ? noNul(s.folder.trim()) : null,
        tags: [...new Set(s.tags.map((t) => noNul(t.trim())).filter((t) => t.length > 0))],
        currentLeafId: null,
        lastActivityAt: new Date(latest),
        createdAt: start,
      },
      messages,
      leafId: leafKey === null ? null : (ids.get(leafKey) ?? null),
    };
  }
}

// PostgreSQL text and jsonb cannot hold NUL characters.
function noNul(s: string): string {
  return s.replaceAll('\0', '');
}

function stripNul(part: ContentPart): ContentPart {
  return Object.fromEntries(Object.entries(part).map(([k, v]) => [k, typeof v === 'string' ? noNul(v) : v])) as ContentPart;
}
