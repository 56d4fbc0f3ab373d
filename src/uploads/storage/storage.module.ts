import { Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { LocalStorageDriver } from './local-storage.driver.js';
import { S3StorageDriver } from './s3-storage.driver.js';
import { StorageDriver } from './storage-driver.js';

async function createStorageDriver(config: AppConfig): Promise<StorageDriver> {
  if (config.storage.driver === 's3' && config.storage.s3) return new S3StorageDriver(config.storage.s3);
  const local = new LocalStorageDriver(config.storage.localRoot);
  await local.init();
  return local;
}

@Injectable()
class StorageLifecycle implements OnApplicationShutdown {
  constructor(@Inject(StorageDriver) private readonly storage: StorageDriver) {}

  onApplicationShutdown(): void {
    if (this.storage instanceof S3StorageDriver) this.storage.destroy();
  }
}

// The configured driver, shared by the uploads module and the readiness check.
@Module({
  providers: [{ provide: StorageDriver, inject: [AppConfig], useFactory: createStorageDriver }, StorageLifecycle],
  exports: [StorageDriver],
})
export class StorageModule {}
