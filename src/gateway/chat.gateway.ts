import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Inject, Logger, type OnModuleDestroy } from '@nestjs/common';
import { type OnGatewayConnection, type OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import type { WebSocket, WebSocketServer } from 'ws';
import { BearerAuthService } from '../auth/bearer-auth.service.js';
import { CredentialStateService } from '../auth/credential-state.service.js';
import { AppConfig } from '../config/app-config.js';
import { MessageSendService } from '../messages/message-send.service.js';
import { MessageTreeService } from '../messages/message-tree.service.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { PubSub } from '../state/pub-sub.js';
import { StreamBus } from '../streaming/stream-bus.js';
import { UserEvents } from '../streaming/user-events.js';
import { type ConnectionDeps, WsConnection } from './ws-connection.js';

export const WS_PATH = '/ws';
const AUTH_TIMEOUT_MS = 10_000;

// WebSocket at /ws. Authenticate with ?access_token= or a first {"type":"auth","token"} frame;
// then subscribe to sessions, send, stop and resume replies (frames in ws-connection.ts).
@WebSocketGateway({ path: WS_PATH, maxPayload: 1_048_576, perMessageDeflate: false })
export class ChatGateway implements OnGatewayInit, OnGatewayConnection, OnModuleDestroy {
  private readonly logger = new Logger(ChatGateway.name);
  private readonly connections = new Set<WsConnection>();
  private readonly deps: ConnectionDeps;
  private pinger?: NodeJS.Timeout;
  // Connection ids tag the session events a socket publishes (so they are not echoed back to it):
  // unique across instances, and short (a randomUUID per socket held a 450-byte rope of strings).
  private readonly instance = randomBytes(6).toString('base64url');
  private accepted = 0;
  private readonly pingIntervalMs: number;
  private readonly stopListening: () => void;

  constructor(
    @Inject(AppConfig) config: AppConfig,
    @Inject(BearerAuthService) bearer: BearerAuthService,
    @Inject(SessionsService) sessions: SessionsService,
    @Inject(MessageSendService) send: MessageSendService,
    @Inject(MessageTreeService) tree: MessageTreeService,
    @Inject(StreamBus) bus: StreamBus,
    @Inject(PubSub) pubsub: PubSub,
    @Inject(UserEvents) userEvents: UserEvents,
    @Inject(CredentialStateService) credentialState: CredentialStateService,
  ) {
    this.pingIntervalMs = config.streaming.wsPingIntervalMs;
    this.deps = {
      bearer,
      sessions,
      send,
      tree,
      bus,
      pubsub,
      userEvents,
      onClosed: (connection) => this.connections.delete(connection),
      logger: this.logger,
      maxBufferedBytes: config.streaming.maxBufferedBytes,
      authTimeoutMs: AUTH_TIMEOUT_MS,
    };
    // A logout or revocation reaches the sockets using that credential at once, not at the next ping.
    this.stopListening = credentialState.onInvalidation((invalidation) => {
      this.connections.forEach((c) => c.credentialChanged(invalidation));
    });
  }

  // Pings find dead peers (a socket that did not answer the previous ping is terminated) and
  // re-check every socket's credential.
  afterInit(_server: WebSocketServer): void {
    this.pinger = setInterval(() => {
      const now = Date.now();
      this.connections.forEach((c) => c.ping(now));
    }, this.pingIntervalMs);
    this.pinger.unref();
  }

  handleConnection(socket: WebSocket, request: IncomingMessage): void {
    const connection = new WsConnection(`${this.instance}.${(this.accepted++).toString(36)}`, socket, this.deps);
    this.connections.add(connection);
    connection.start(tokenFromQuery(request.url));
  }

  onModuleDestroy(): void {
    clearInterval(this.pinger);
    this.stopListening();
  }
}

function tokenFromQuery(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const token = new URL(url, 'http://localhost').searchParams.get('access_token');
  return token ?? undefined;
}
