import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  Equals,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import type { OpenAITool, OpenAIToolChoice } from '../chat-mapping.js';
import { IsStopSequences, IsToolChoice } from './validators.js';

export const MAX_MESSAGES = 500;
export const MAX_TOOLS = 128;
export const MAX_OUTPUT_TOKENS = 1_000_000;

export class StreamOptionsDto {
  @ApiPropertyOptional({ description: 'Send a last chunk with the usage (empty choices) before [DONE]' })
  @IsOptional()
  @IsBoolean()
  include_usage?: boolean;
}

export class FunctionDefinitionDto {
  @ApiProperty({ example: 'get_weather', pattern: '^[a-zA-Z0-9_-]{1,64}$' })
  @IsString()
  @Matches(/^[a-zA-Z0-9_-]{1,64}$/, { message: 'function.name must be 1 to 64 letters, digits, underscores or dashes' })
  name!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(10_000)
  description?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'JSON Schema of the arguments' })
  @IsOptional()
  @IsObject()
  parameters?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Accepted; strict schema adherence is up to the vendor' })
  @IsOptional()
  @IsBoolean()
  strict?: boolean;
}

export class ToolDto implements OpenAITool {
  @ApiProperty({ enum: ['function'] })
  @IsIn(['function'])
  type!: 'function';

  @ApiProperty({ type: FunctionDefinitionDto })
  @ValidateNested()
  @Type(() => FunctionDefinitionDto)
  function!: FunctionDefinitionDto;
}

const MESSAGE_SCHEMA = {
  type: 'object',
  additionalProperties: true,
  required: ['role'],
  properties: {
    role: { type: 'string', enum: ['system', 'developer', 'user', 'assistant', 'tool'] },
    content: {
      description: 'A string, or content parts: {type: "text", text} and {type: "image_url", image_url: {url: "data:image/...;base64,..."}}',
      oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'object', additionalProperties: true } }],
      nullable: true,
    },
    tool_calls: { type: 'array', items: { type: 'object', additionalProperties: true } },
    tool_call_id: { type: 'string' },
    name: { type: 'string' },
  },
};

// OpenAI's create-chat-completion body. Unknown fields are refused, as everywhere in this API;
// a few common sampling fields are accepted and not forwarded (see the README).
export class ChatCompletionRequestDto {
  @ApiProperty({ example: 'openai/gpt-4o-mini', description: '"provider/model"; a bare model id uses the default provider' })
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  model!: string;

  @ApiProperty({ type: 'array', items: MESSAGE_SCHEMA, minItems: 1, maxItems: MAX_MESSAGES })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_MESSAGES)
  @IsObject({ each: true, message: 'each message must be an object' })
  messages!: Record<string, unknown>[];

  @ApiPropertyOptional({ description: 'Stream chat.completion.chunk objects as Server-Sent Events, ending with data: [DONE]' })
  @IsOptional()
  @IsBoolean()
  stream?: boolean;

  @ApiPropertyOptional({ type: StreamOptionsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => StreamOptionsDto)
  stream_options?: StreamOptionsDto;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_OUTPUT_TOKENS, deprecated: true, description: 'Use max_completion_tokens' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_OUTPUT_TOKENS)
  max_tokens?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_OUTPUT_TOKENS })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_OUTPUT_TOKENS)
  max_completion_tokens?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 2 })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(2)
  temperature?: number;

  @ApiPropertyOptional({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, maxItems: 4 }] })
  @IsOptional()
  @IsStopSequences()
  stop?: string | string[];

  @ApiPropertyOptional({ type: [ToolDto], maxItems: MAX_TOOLS })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_TOOLS)
  @ValidateNested({ each: true })
  @Type(() => ToolDto)
  tools?: ToolDto[];

  @ApiPropertyOptional({
    oneOf: [{ type: 'string', enum: ['none', 'auto', 'required'] }, { type: 'object', additionalProperties: true }],
    description: '"none" | "auto" | "required" | {type: "function", function: {name}}',
  })
  @IsOptional()
  @IsToolChoice()
  tool_choice?: OpenAIToolChoice;

  @ApiPropertyOptional({ description: 'Only 1 is supported' })
  @IsOptional()
  @Equals(1, { message: 'n must be 1' })
  n?: number;

  @ApiPropertyOptional({ description: 'Accepted, not forwarded' })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  top_p?: number;

  @ApiPropertyOptional({ description: 'Accepted, not forwarded' })
  @IsOptional()
  @IsNumber()
  @Min(-2)
  @Max(2)
  presence_penalty?: number;

  @ApiPropertyOptional({ description: 'Accepted, not forwarded' })
  @IsOptional()
  @IsNumber()
  @Min(-2)
  @Max(2)
  frequency_penalty?: number;

  @ApiPropertyOptional({ description: 'Accepted, not forwarded' })
  @IsOptional()
  @IsInt()
  seed?: number;

  @ApiPropertyOptional({ description: 'Accepted, not forwarded' })
  @IsOptional()
  @IsBoolean()
  parallel_tool_calls?: boolean;

  @ApiPropertyOptional({ description: 'An end-user id; accepted, not forwarded' })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  user?: string;
}
