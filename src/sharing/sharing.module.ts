import { Module } from '@nestjs/common';
import { SessionsModule } from '../sessions/sessions.module.js';
import { SharingController } from './sharing.controller.js';
import { SharingRepository } from './sharing.repository.js';
import { SharingService } from './sharing.service.js';

@Module({
  imports: [SessionsModule],
  controllers: [SharingController],
  providers: [SharingRepository, SharingService],
})
export class SharingModule {}
