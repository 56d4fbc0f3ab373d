import { Module } from '@nestjs/common';
import { StorageModule } from './storage/storage.module.js';
import { UploadIngestService } from './upload-ingest.service.js';
import { UploadsController } from './uploads.controller.js';
import { UploadsRepository } from './uploads.repository.js';
import { UploadsService } from './uploads.service.js';

@Module({
  imports: [StorageModule],
  controllers: [UploadsController],
  providers: [UploadsRepository, UploadsService, UploadIngestService],
  exports: [UploadsService, UploadIngestService],
})
export class UploadsModule {}
