import { Body, Controller, Delete, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query, Req } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AppConfig } from '../config/app-config.js';
import { CurrentPrincipal } from '../common/auth/decorators.js';
import type { Principal } from '../common/auth/principal.js';
import { PageQueryDto } from '../common/pagination/cursor.js';
import { ApiProblems } from '../common/swagger/problem.dto.js';
import { readFilePart } from '../uploads/multipart.js';
import { AddDocumentDto, DocumentFileBodyDto, DocumentPageDto, DocumentResponseDto } from './dto/document.dto.js';
import { DocumentsService } from './documents.service.js';

@ApiTags('knowledge-bases')
@ApiBearerAuth()
@ApiExtraModels(AddDocumentDto, DocumentFileBodyDto)
@Controller('knowledge-bases/:kbId/documents')
export class DocumentsController {
  constructor(
    @Inject(DocumentsService) private readonly documents: DocumentsService,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Add a document: a multipart file (part "file"), or JSON with one of uploadId, url or text',
    description: 'Ingestion (parse, chunk, embed, index) runs as a job: follow status and progress on GET, or document.progress over WebSocket.',
  })
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiBody({ schema: { oneOf: [{ $ref: getSchemaPath(AddDocumentDto) }, { $ref: getSchemaPath(DocumentFileBodyDto) }] } })
  @ApiAcceptedResponse({ type: DocumentResponseDto, description: 'Queued' })
  @ApiProblems(400, 401, 403, 404, 413, 415, 429, 503)
  async add(
    @CurrentPrincipal() principal: Principal,
    @Param('kbId', new ParseUUIDPipe()) kbId: string,
    @Req() request: FastifyRequest,
    @Body() body: AddDocumentDto,
  ): Promise<DocumentResponseDto> {
    if (request.isMultipart()) {
      return this.documents.addFile(principal.userId, kbId, await readFilePart(request, this.config.uploads.maxBytes));
    }
    return this.documents.addFromJson(principal.userId, kbId, body);
  }

  @Get()
  @ApiOperation({ summary: "List a knowledge base's documents, newest first" })
  @ApiOkResponse({ type: DocumentPageDto })
  @ApiProblems(400, 401, 404, 429)
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('kbId', new ParseUUIDPipe()) kbId: string,
    @Query() query: PageQueryDto,
  ): Promise<DocumentPageDto> {
    return this.documents.list(principal.userId, kbId, query);
  }

  @Get(':docId')
  @ApiOperation({ summary: 'Get a document with its ingestion status and progress' })
  @ApiOkResponse({ type: DocumentResponseDto })
  @ApiProblems(400, 401, 404, 429)
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('kbId', new ParseUUIDPipe()) kbId: string,
    @Param('docId', new ParseUUIDPipe()) docId: string,
  ): Promise<DocumentResponseDto> {
    return this.documents.get(principal.userId, kbId, docId);
  }

  @Post(':docId/reingest')
  @HttpCode(202)
  @ApiOperation({ summary: 'Ingest a document again (after a failure, or to apply new chunking settings)' })
  @ApiAcceptedResponse({ type: DocumentResponseDto, description: 'Queued' })
  @ApiProblems(400, 401, 404, 409, 429, 503)
  reingest(
    @CurrentPrincipal() principal: Principal,
    @Param('kbId', new ParseUUIDPipe()) kbId: string,
    @Param('docId', new ParseUUIDPipe()) docId: string,
  ): Promise<DocumentResponseDto> {
    return this.documents.reingest(principal.userId, kbId, docId);
  }

  @Delete(':docId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a document and its chunks (its upload stays)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(400, 401, 403, 404, 429)
  async delete(
    @CurrentPrincipal() principal: Principal,
    @Param('kbId', new ParseUUIDPipe()) kbId: string,
    @Param('docId', new ParseUUIDPipe()) docId: string,
  ): Promise<void> {
    await this.documents.delete(principal.userId, kbId, docId);
  }
}
