import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal } from '../common/auth/decorators.js';
import type { Principal } from '../common/auth/principal.js';
import { ApiProblems } from '../common/swagger/problem.dto.js';
import type { AppConfig } from '../config/app-config.js';
import { ExportDocumentDto, ExportQueryDto, ImportResultDto } from './dto/transfer.dto.js';
import { ExportService } from './export.service.js';
import { ImportService } from './import.service.js';

const IMPORT_NOTE =
  "Accepts this API's export (format chatbox-backend.export), a Chatbox backup ({version, exportDate, sessions}) or " +
  "ChatGPT's conversations.json. The whole file is imported in one transaction; every id is new. Body limit: IMPORT_MAX_BYTES.";

@ApiTags('sessions')
@ApiBearerAuth()
@Controller('sessions')
export class TransferController {
  constructor(
    @Inject(ExportService) private readonly exports: ExportService,
    @Inject(ImportService) private readonly imports: ImportService,
  ) {}

  @Get('export')
  @ApiOperation({ summary: 'Export all your conversations as one JSON document (streamed)' })
  @ApiOkResponse({ type: ExportDocumentDto })
  @ApiProblems(401, 429)
  async exportAll(@CurrentPrincipal() principal: Principal, @Res() reply: FastifyReply): Promise<void> {
    await this.exports.streamAll(principal.userId, reply);
  }

  @Get(':id/export')
  @ApiOperation({ summary: 'Export a conversation: the whole tree as JSON, or the current branch as Markdown' })
  @ApiProduces('application/json', 'text/markdown')
  @ApiOkResponse({ type: ExportDocumentDto, description: 'JSON (format=json) or text/markdown (format=markdown)' })
  @ApiProblems(400, 401, 404, 429)
  async exportOne(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: ExportQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ExportDocumentDto | string> {
    if (query.format === 'markdown') {
      const { text, disposition } = await this.exports.markdown(principal.userId, id);
      void reply.type('text/markdown; charset=utf-8').header('content-disposition', disposition);
      return text;
    }
    const { document, disposition } = await this.exports.json(principal.userId, id);
    void reply.header('content-disposition', disposition);
    return document;
  }

  @Post('import')
  @HttpCode(201)
  @RouteConfig({ bodyLimit: (config: AppConfig) => config.importMaxBytes })
  @ApiOperation({ summary: 'Import conversations from an export file', description: IMPORT_NOTE })
  @ApiBody({ schema: { oneOf: [{ type: 'object' }, { type: 'array', items: { type: 'object' } }] } })
  @ApiCreatedResponse({ type: ImportResultDto })
  @ApiProblems(400, 401, 413, 429)
  import(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<ImportResultDto> {
    return this.imports.import(principal.userId, body);
  }
}
