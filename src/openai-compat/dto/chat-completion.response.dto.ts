import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

const FINISH = ['stop', 'length', 'tool_calls', 'content_filter'];

export class CompletionFunctionCallDto {
  @ApiProperty({ example: 'get_weather' }) name!: string;
  @ApiProperty({ example: '{"city":"Paris"}' }) arguments!: string;
}

export class CompletionToolCallDto {
  @ApiProperty({ example: 'call_abc123' }) id!: string;
  @ApiProperty({ enum: ['function'] }) type!: 'function';
  @ApiProperty({ type: CompletionFunctionCallDto }) function!: CompletionFunctionCallDto;
}

export class CompletionMessageDto {
  @ApiProperty({ enum: ['assistant'] }) role!: 'assistant';
  @ApiProperty({ type: 'string', nullable: true }) content!: string | null;
  @ApiProperty({ type: 'string', nullable: true }) refusal!: null;
  @ApiPropertyOptional({ description: 'Reasoning text, when the model streams it' }) reasoning_content?: string;
  @ApiPropertyOptional({ type: [CompletionToolCallDto] }) tool_calls?: CompletionToolCallDto[];
}

export class CompletionChoiceDto {
  @ApiProperty({ example: 0 }) index!: number;
  @ApiProperty({ type: CompletionMessageDto }) message!: CompletionMessageDto;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'Always null' }) logprobs!: null;
  @ApiProperty({ enum: FINISH }) finish_reason!: string;
}

export class CompletionTokensDetailsDto {
  @ApiProperty() reasoning_tokens!: number;
}

export class CompletionUsageDto {
  @ApiProperty() prompt_tokens!: number;
  @ApiProperty() completion_tokens!: number;
  @ApiProperty() total_tokens!: number;
  @ApiProperty({ type: CompletionTokensDetailsDto }) completion_tokens_details!: CompletionTokensDetailsDto;
}

export class ChatCompletionResponseDto {
  @ApiProperty({ example: 'chatcmpl-0193...' }) id!: string;
  @ApiProperty({ enum: ['chat.completion'] }) object!: 'chat.completion';
  @ApiProperty({ description: 'Unix seconds' }) created!: number;
  @ApiProperty({ example: 'openai/gpt-4o-mini' }) model!: string;
  @ApiProperty({ type: 'string', nullable: true }) system_fingerprint!: null;
  @ApiProperty({ type: [CompletionChoiceDto] }) choices!: CompletionChoiceDto[];
  @ApiProperty({ type: CompletionUsageDto }) usage!: CompletionUsageDto;
}
