import { Module } from '@nestjs/common';
import { ProvidersModule } from '../providers/providers.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { ExportService } from './export.service.js';
import { ImportService } from './import.service.js';
import { TransferController } from './transfer.controller.js';
import { TransferRepository } from './transfer.repository.js';

@Module({
  imports: [SessionsModule, ProvidersModule],
  controllers: [TransferController],
  providers: [TransferRepository, ExportService, ImportService],
})
export class TransferModule {}
