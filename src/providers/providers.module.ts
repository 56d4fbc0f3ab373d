import { Module } from '@nestjs/common';
import { ModelListService } from './model-list.service.js';
import { ProviderKeysController } from './provider-keys.controller.js';
import { ProviderKeysRepository } from './provider-keys.repository.js';
import { ProviderKeysService } from './provider-keys.service.js';
import { ProvidersController } from './providers.controller.js';
import { ProvidersService } from './providers.service.js';

@Module({
  controllers: [ProvidersController, ProviderKeysController],
  providers: [ProviderKeysRepository, ProviderKeysService, ModelListService, ProvidersService],
  exports: [ProvidersService],
})
export class ProvidersModule {}
