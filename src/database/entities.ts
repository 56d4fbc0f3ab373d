import { ApiKey } from '../auth/entities/api-key.entity.js';
import { ExternalIdentity } from '../auth/entities/external-identity.entity.js';
import { RefreshToken } from '../auth/entities/refresh-token.entity.js';
import { User } from '../auth/entities/user.entity.js';
import { KbDocument } from '../knowledge-base/entities/kb-document.entity.js';
import { KnowledgeBase } from '../knowledge-base/entities/knowledge-base.entity.js';
import { IdempotencyKey } from '../messages/entities/idempotency-key.entity.js';
import { Message } from '../messages/entities/message.entity.js';
import { ProviderKey } from '../providers/entities/provider-key.entity.js';
import { ChatSession } from '../sessions/entities/chat-session.entity.js';
import { SessionShare } from '../sharing/entities/session-share.entity.js';
import { Upload } from '../uploads/entities/upload.entity.js';
import { UsageRecord } from '../usage/entities/usage-record.entity.js';

// Every entity of the app, for the data source and the migration generator.
export const ENTITIES = [
  User,
  RefreshToken,
  ApiKey,
  ExternalIdentity,
  ProviderKey,
  ChatSession,
  Message,
  IdempotencyKey,
  Upload,
  SessionShare,
  UsageRecord,
  KnowledgeBase,
  KbDocument,
];
