import type { StreamFollower } from '../streaming/stream-bus.js';

// A reply stream one socket follows. It remembers the last seq written, so a second request to
// follow the same reply (a session event racing the sender's own follow, a repeated subscribe)
// keeps the live follower instead of replaying events the client already has.
export class FollowedStream {
  lastSeq: number;
  // A resume asked for events after this seq while the stream was already followed: the live
  // events up to it are ones the client has.
  skipThrough = 0;
  private follower?: StreamFollower;
  private closed = false;

  constructor(
    readonly sessionId: string,
    afterSeq: number,
  ) {
    this.lastSeq = afterSeq;
  }

  // The bus follower arrives after its replay; a stream closed meanwhile closes it at once.
  attach(follower: StreamFollower): void {
    if (this.closed) follower.close();
    else this.follower = follower;
  }

  close(): void {
    this.closed = true;
    this.follower?.close();
  }
}
