import { Module } from '@nestjs/common';
import { MessagesModule } from '../messages/messages.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { ChatGateway } from './chat.gateway.js';

@Module({
  imports: [SessionsModule, MessagesModule],
  providers: [ChatGateway],
})
export class GatewayModule {}
