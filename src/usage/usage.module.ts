import { Module } from '@nestjs/common';
import { UsageRecordsRepository } from './usage-records.repository.js';
import { UsageRecordsService } from './usage-records.service.js';

@Module({
  providers: [UsageRecordsRepository, UsageRecordsService],
  exports: [UsageRecordsService],
})
export class UsageModule {}
