import { Init1763780000000 } from './1763780000000-Init.js';
import { ChatCore1763790000000 } from './1763790000000-ChatCore.js';
import { ProviderKeys1764100000000 } from './1764100000000-ProviderKeys.js';
import { GroupChat1764150000000 } from './1764150000000-GroupChat.js';
import { UsageRecords1764200000000 } from './1764200000000-UsageRecords.js';
import { Interop1764300000000 } from './1764300000000-Interop.js';
import { Uploads1764400000000 } from './1764400000000-Uploads.js';
import { KnowledgeBases1764500000000 } from './1764500000000-KnowledgeBases.js';
import { SessionListVersions1764600000000 } from './1764600000000-SessionListVersions.js';
import { MessageSearchOnFinish1764700000000 } from './1764700000000-MessageSearchOnFinish.js';
import { UsageEstimated1764800000000 } from './1764800000000-UsageEstimated.js';

// Listed explicitly (not globbed) so the same list works compiled and under the test runner.
export const MIGRATIONS = [
  Init1763780000000,
  ChatCore1763790000000,
  ProviderKeys1764100000000,
  GroupChat1764150000000,
  UsageRecords1764200000000,
  Interop1764300000000,
  Uploads1764400000000,
  KnowledgeBases1764500000000,
  SessionListVersions1764600000000,
  MessageSearchOnFinish1764700000000,
  UsageEstimated1764800000000,
];
