import { Inject, Injectable, Logger } from '@nestjs/common';
import { ProvidersService } from '../../providers/providers.service.js';
import { SessionsService } from '../../sessions/sessions.service.js';
import { UserEvents } from '../../streaming/user-events.js';
import type { GenerationJob } from './generation-job.js';

const TITLE_INSTRUCTIONS =
  'Write a title of at most six words for the conversation below, in its language. Reply with the title only: no quotes, no final period.';
const EXCERPT_CHARS = 2_000;
const TITLE_TIMEOUT_MS = 30_000;

// Names an untitled session after its first completed exchange, in the background, with the cheap title model when
// one is configured (TITLE_MODEL), else the session's own model.
@Injectable()
export class TitleService {
  private readonly logger = new Logger(TitleService.name);

  constructor(
    @Inject(ProvidersService) private readonly providers: ProvidersService,
    @Inject(SessionsService) private readonly sessions: SessionsService,
    @Inject(UserEvents) private readonly userEvents: UserEvents,
  ) {}

  async generate(job: GenerationJob, reply: string): Promise<void> {
    const question = job.messages[job.messages.length - 1]?.parts.map((p) => (p.type === 'text' ? p.text : '')).join(' ') ?? '';
    const route = this.providers.titleRoute() ?? { provider: job.provider, model: job.model };
    let text = '';
    try {
      const events = this.providers.stream(job.userId, route, {
        system: TITLE_INSTRUCTIONS,
        messages: [
          {
            role: 'user',
            parts: [{ type: 'text', text: `User: ${question.slice(0, EXCERPT_CHARS)}\n\nAssistant: ${reply.slice(0, EXCERPT_CHARS)}` }],
          },
        ],
        maxTokens: 32,
        temperature: 0.2,
        signal: AbortSignal.timeout(TITLE_TIMEOUT_MS),
      });
      for await (const e of events) if (e.type === 'text') text += e.delta;
    } catch (err) {
      this.logger.warn({ err, sessionId: job.sessionId }, 'Title generation failed');
      return;
    }
    const title = cleanTitle(text);
    if (!title || !(await this.sessions.setTitleIfUnset(job.sessionId, title))) return;
    await this.userEvents.publish(job.userId, { type: 'session.updated', session: { id: job.sessionId, title } });
  }
}

export function cleanTitle(raw: string): string {
  const line = raw.trim().split('\n')[0] ?? '';
  return line
    .replace(/^(title:\s*)/i, '')
    .replace(/^["'“”«»]+|["'“”«».]+$/g, '')
    .trim()
    .slice(0, 80);
}
