import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Usage } from '../providers/provider.types.js';
import type { UsageRecord, UsageSource, UsageStatus } from './entities/usage-record.entity.js';
import { UsageRecordsRepository } from './usage-records.repository.js';

export interface UsageEntry {
  userId: string;
  apiKeyId?: string | null;
  source: UsageSource;
  provider: string;
  model: string;
  usage?: Partial<Usage>;
  estimated?: boolean;
  status: UsageStatus;
}

// Records metered vendor calls. Credits will charge from these rows.
@Injectable()
export class UsageRecordsService {
  private readonly logger = new Logger('UsageRecordsService');

  constructor(@Inject(UsageRecordsRepository) private readonly records: UsageRecordsRepository) {}

  // Never throws: a call that already happened must not fail because its record could not be
  // written; the failure is logged with everything needed to settle it by hand.
  async record(entry: UsageEntry): Promise<void> {
    const row = {
      userId: entry.userId,
      apiKeyId: entry.apiKeyId ?? null,
      source: entry.source,
      provider: entry.provider.slice(0, 64),
      model: entry.model.slice(0, 200),
      inputTokens: entry.usage?.inputTokens ?? 0,
      outputTokens: entry.usage?.outputTokens ?? 0,
      reasoningTokens: entry.usage?.reasoningTokens ?? 0,
      estimated: entry.estimated ?? false,
      status: entry.status,
    };
    try {
      await this.records.insert(row);
    } catch (err) {
      this.logger.error({ err, usage: row }, 'Could not record usage');
    }
  }

  listForUser(userId: string, options: { since?: Date; limit: number }): Promise<UsageRecord[]> {
    return this.records.listForUser(userId, options);
  }
}
