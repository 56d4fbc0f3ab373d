import type { Logger } from '@nestjs/common';
import { type RawData, WebSocket } from 'ws';
import type { BearerAuthService } from '../auth/bearer-auth.service.js';
import { type Invalidation, invalidates } from '../auth/credential-state.service.js';
import type { Principal } from '../common/auth/principal.js';
import { DomainError } from '../common/errors/domain-error.js';
import type { MessageSendService } from '../messages/message-send.service.js';
import type { MessageTreeService } from '../messages/message-tree.service.js';
import type { SessionsService } from '../sessions/sessions.service.js';
import type { PubSub } from '../state/pub-sub.js';
import type { StreamBus } from '../streaming/stream-bus.js';
import type { UserEvents } from '../streaming/user-events.js';
import { isFinalEvent } from '../streaming/stream-event.js';
import { eventFrame } from './event-frame.js';
import { FollowedStream } from './followed-stream.js';
import { FrameError, parseFrame } from './frame-parser.js';
import { SessionSubscriptions, type SubscriptionHost } from './session-subscriptions.js';
import type { AuthFrame, FrameEnvelope, ResumeFrame, SendFrame, SessionFrame, StopFrame } from './frames.js';

export interface ConnectionDeps {
  bearer: BearerAuthService;
  sessions: SessionsService;
  send: MessageSendService;
  tree: MessageTreeService;
  bus: StreamBus;
  pubsub: PubSub;
  userEvents: UserEvents;
  // Called once when the socket is gone (the gateway forgets it).
  onClosed: (connection: WsConnection) => void;
  logger: Logger;
  maxBufferedBytes: number;
  authTimeoutMs: number;
}

export const CLOSE_UNAUTHORIZED = 4401;
const connectionOf = new WeakMap<WebSocket, WsConnection>();
const CLOSE_INTERNAL = 1011;
const CLOSE_TRY_AGAIN_LATER = 1013;
const CLOSE_POLICY = 1008;
const MAX_FOLLOWED_STREAMS = 64;
const FRAMES_PER_WINDOW = 120;
const FRAME_WINDOW_MS = 10_000;
// Every frame is JSON text, including the shared Buffers of reply events.
const TEXT_FRAME = { binary: false } as const;

// One client socket: authentication, session subscriptions, the reply streams it follows.
// Maps are created on first use so an idle socket costs little.
export class WsConnection implements SubscriptionHost {
  alive = true;
  private principal: Principal | null = null;
  private token = '';
  private timer?: NodeJS.Timeout;
  private expiresAtMs?: number;
  private followers?: Map<string, FollowedStream>;
  private subscriptions?: SessionSubscriptions;
  private listening = false;
  private recheckQueued = false;
  private queue: Promise<void> = Promise.resolve();
  private frames = 0;
  private windowStart = 0;
  private closed = false;

  constructor(
    readonly id: string,
    private readonly socket: WebSocket,
    private readonly deps: ConnectionDeps,
  ) {
    connectionOf.set(socket, this);
    socket.on('message', onMessage);
    socket.on('pong', onPong);
    socket.on('close', onClose);
  }

  start(token: string | undefined): void {
    if (token) this.enqueueTask(() => this.authenticate(token));
    else this.timer = setTimeout(() => this.close(CLOSE_UNAUTHORIZED, 'Authentication required'), this.deps.authTimeoutMs);
  }

  // Called by the gateway's timer: drops dead peers and sockets whose token expired or was revoked
  // (one timer for all sockets rather than one each).
  ping(now: number): void {
    if (this.expiresAtMs !== undefined && now >= this.expiresAtMs) return this.close(CLOSE_UNAUTHORIZED, 'Token expired');
    if (!this.alive) {
      this.socket.terminate();
      return;
    }
    this.alive = false;
    this.socket.ping();
    this.recheck();
  }

  credentialChanged(invalidation: Invalidation): void {
    if (this.principal && invalidates(invalidation, this.principal)) this.recheck();
  }

  // A socket that only listens sends no frame that would check its credential: check it here.
  private recheck(): void {
    if (!this.principal || this.recheckQueued) return;
    this.recheckQueued = true;
    this.enqueueTask(async () => {
      this.recheckQueued = false;
      if (!this.closed) await this.check(this.token, 'Credentials revoked');
    });
  }

  receive(data: Buffer, isBinary: boolean): void {
    const now = Date.now();
    if (now - this.windowStart > FRAME_WINDOW_MS) {
      this.windowStart = now;
      this.frames = 0;
    }
    if (++this.frames > FRAMES_PER_WINDOW) return this.close(CLOSE_POLICY, 'Too many frames');
    if (isBinary) return this.sendError(undefined, new FrameError('INVALID_FRAME', 'Frames are JSON text'));
    this.enqueueTask(() => this.handle(data.toString('utf8')));
  }

  // Frames are handled one at a time, in order (a subscribe lands before the send after it).
  private enqueueTask(task: () => Promise<void>): void {
    this.queue = this.queue.then(task).catch((err: unknown) => this.deps.logger.error({ err }, 'WebSocket frame failed'));
  }

  private async handle(raw: string): Promise<void> {
    let frame: FrameEnvelope;
    try {
      frame = parseFrame(raw);
    } catch (err) {
      return this.sendError(undefined, err);
    }
    if (frame.type === 'auth') return this.authenticate((frame as AuthFrame).token);
    if (!this.principal) return this.close(CLOSE_UNAUTHORIZED, 'Authenticate first');
    // Every frame checks the credential again (cheap: checks are cached until invalidated).
    const principal = await this.check(this.token, 'Credentials revoked');
    if (!principal) return;
    try {
      switch (frame.type) {
        case 'subscribe':
          return await this.subscribe(frame as SessionFrame);
        case 'unsubscribe':
          return await this.subscriptions?.remove((frame as SessionFrame).sessionId);
        case 'typing':
          return await this.typing(frame as SessionFrame);
        case 'message.send':
          return await this.sendMessage(principal, frame as SendFrame);
        case 'stop':
          return await this.stop(principal, frame as StopFrame);
        case 'resume':
          return await this.resume(frame as ResumeFrame);
        case 'ping':
          return this.write({ type: 'pong', id: frame.id });
      }
    } catch (err) {
      this.sendError(frame.id, err);
    }
  }

  private async authenticate(token: string): Promise<void> {
    if (this.principal) return;
    clearTimeout(this.timer);
    const principal = await this.check(token, 'Invalid or expired credentials');
    if (!principal) return;
    this.principal = principal;
    this.token = token;
    this.expiresAtMs = principal.tokenExpiresAt ? principal.tokenExpiresAt * 1000 : undefined;
    await this.deps.userEvents.subscribe(principal.userId, this);
    this.listening = true;
    if (this.closed) this.deps.userEvents.unsubscribe(principal.userId, this);
    this.write({ type: 'ready', userId: principal.userId });
  }

  private async subscribe(frame: SessionFrame): Promise<void> {
    const userId = this.principal!.userId;
    await this.deps.sessions.requireReadable(userId, frame.sessionId);
    this.subscriptions ??= new SessionSubscriptions(this, this.deps.pubsub);
    const already = this.subscriptions.has(frame.sessionId);
    await this.subscriptions.add(frame.sessionId);
    this.write({ type: 'subscribed', id: frame.id, sessionId: frame.sessionId });
    // Replies already generating in the session are followed from their start.
    if (!already) for (const messageId of await this.deps.tree.streamingIds(frame.sessionId)) await this.follow(messageId, 0, frame.sessionId);
  }

  private async typing(frame: SessionFrame): Promise<void> {
    if (!this.subscriptions) throw new FrameError('NOT_SUBSCRIBED', 'Subscribe to the session first');
    await this.subscriptions.typing(frame.sessionId);
  }

  userId(): string {
    return this.principal!.userId;
  }

  dropSession(sessionId: string): void {
    for (const [messageId, entry] of this.followers ?? []) {
      if (entry.sessionId !== sessionId) continue;
      entry.close();
      this.followers!.delete(messageId);
    }
  }

  private async sendMessage(principal: Principal, frame: SendFrame): Promise<void> {
    requireWrite(principal);
    const { type: _type, id, sessionId, ...body } = frame;
    const exchange = await this.deps.send.send(principal.userId, sessionId, body, undefined, this.id);
    this.write({ type: 'message.created', id, ...exchange });
    await this.follow(exchange.assistantMessage.id, 0, sessionId);
  }

  private async stop(principal: Principal, frame: StopFrame): Promise<void> {
    requireWrite(principal);
    const userId = principal.userId;
    await this.deps.tree.stop(userId, frame.messageId);
    // Followers get the final event from the stream; others get it here.
    if (!this.followers?.has(frame.messageId)) {
      this.writeEvent(await this.deps.tree.finalEventFor(await this.deps.tree.requireMessage(userId, frame.messageId)));
    }
  }

  private async resume(frame: ResumeFrame): Promise<void> {
    const message = await this.deps.tree.requireMessage(this.principal!.userId, frame.messageId);
    if (message.status !== 'streaming') return this.writeEvent(await this.deps.tree.finalEventFor(message));
    await this.follow(message.id, frame.fromSeq - 1, message.sessionId);
  }

  async follow(messageId: string, afterSeq: number, sessionId: string): Promise<void> {
    this.followers ??= new Map();
    const followers = this.followers;
    const current = followers.get(messageId);
    if (current && afterSeq >= current.lastSeq) {
      current.skipThrough = Math.max(current.skipThrough, afterSeq);
      return;
    }
    if (current) {
      current.close();
      followers.delete(messageId);
    }
    if (followers.size >= MAX_FOLLOWED_STREAMS) throw new FrameError('TOO_MANY_STREAMS', 'Too many streams followed at once');
    // Registered before the replay so a concurrent follow of the same reply sees it.
    const entry = new FollowedStream(sessionId, afterSeq);
    followers.set(messageId, entry);
    const forget = () => {
      if (followers.get(messageId) === entry) followers.delete(messageId);
    };
    try {
      entry.attach(
        await this.deps.bus.follow(messageId, afterSeq, (e) => {
          if (e.seq <= entry.skipThrough && !isFinalEvent(e)) return;
          entry.lastSeq = e.seq;
          this.writeEncoded(eventFrame(e));
          if (isFinalEvent(e)) forget();
        }),
      );
    } catch (err) {
      forget();
      throw err;
    }
    if (this.closed) entry.close();
  }

  // The principal of a still valid credential, or null once the socket is closed for it. A check
  // that fails (the store is down) closes too: the socket must not outlive a credential unchecked.
  private async check(token: string, reason: string): Promise<Principal | null> {
    let principal: Principal | null;
    try {
      principal = await this.deps.bearer.authenticate(token);
    } catch (err) {
      this.deps.logger.warn({ err }, 'Could not check WebSocket credentials');
      this.close(CLOSE_INTERNAL, 'Could not check credentials');
      return null;
    }
    if (!principal) this.close(CLOSE_UNAUTHORIZED, reason);
    return principal;
  }

  private writeEvent(e: { event: string; data: Record<string, unknown>; seq: number }): void {
    this.write({ type: e.event, ...e.data, seq: e.seq });
  }

  write(frame: unknown): void {
    this.writeEncoded(JSON.stringify(frame));
  }

  // A frame already encoded (a reply event's is shared by every socket following the stream).
  private writeEncoded(frame: string | Buffer): void {
    if (this.closed || this.socket.readyState !== WebSocket.OPEN) return;
    // A client this far behind is cut off; it reconnects and resumes from its last seq.
    if (this.socket.bufferedAmount > this.deps.maxBufferedBytes) return this.close(CLOSE_TRY_AGAIN_LATER, 'Slow consumer');
    this.socket.send(frame, TEXT_FRAME);
  }

  private sendError(id: string | undefined, err: unknown): void {
    if (err instanceof FrameError) {
      return this.write({ type: 'error', id: id ?? err.frameId, code: err.code, message: err.message, errors: err.errors });
    }
    if (err instanceof DomainError) return this.write({ type: 'error', id, code: err.code, status: err.status, message: err.message });
    this.deps.logger.error({ err }, 'WebSocket frame failed');
    this.write({ type: 'error', id, code: 'INTERNAL', status: 500, message: 'Something went wrong' });
  }

  private close(code: number, reason: string): void {
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) this.socket.close(code, reason);
    void this.dispose();
  }

  async dispose(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    this.followers?.forEach((f) => f.close());
    if (this.listening) this.deps.userEvents.unsubscribe(this.principal!.userId, this);
    this.deps.onClosed(this);
    await this.subscriptions?.removeAll();
  }
}

function requireWrite(principal: Principal): void {
  if (principal.scopes && !principal.scopes.includes('write')) throw new FrameError('FORBIDDEN', 'This API key lacks the "write" scope');
}

// The socket listeners, shared by every connection (no closures per socket: idle sockets are many).
function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  connectionOf.get(this)?.receive(data as Buffer, isBinary);
}

function onPong(this: WebSocket): void {
  const connection = connectionOf.get(this);
  if (connection) connection.alive = true;
}

function onClose(this: WebSocket): void {
  void connectionOf.get(this)?.dispose();
}
