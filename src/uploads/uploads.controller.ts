import { Controller, Delete, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiFoundResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig } from '../config/app-config.js';
import { CurrentPrincipal } from '../common/auth/decorators.js';
import type { Principal } from '../common/auth/principal.js';
import { PageQueryDto } from '../common/pagination/cursor.js';
import { ApiProblems } from '../common/swagger/problem.dto.js';
import { attachmentDisposition } from './content-disposition.js';
import { UploadFileBodyDto, UploadPageDto, UploadQuotaDto, UploadResponseDto } from './dto/upload.dto.js';
import { readFilePart } from './multipart.js';
import { UploadIngestService } from './upload-ingest.service.js';
import { UploadsService } from './uploads.service.js';

@ApiTags('uploads')
@ApiBearerAuth()
@Controller('uploads')
export class UploadsController {
  constructor(
    @Inject(UploadsService) private readonly uploads: UploadsService,
    @Inject(UploadIngestService) private readonly ingest: UploadIngestService,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Upload a file (multipart, part "file"); its type is detected from the content' })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: UploadFileBodyDto })
  @ApiCreatedResponse({ type: UploadResponseDto })
  @ApiProblems(400, 401, 403, 413, 415, 429, 503)
  async create(@CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest): Promise<UploadResponseDto> {
    return this.ingest.ingest(principal.userId, await readFilePart(request, this.config.uploads.maxBytes));
  }

  @Get()
  @ApiOperation({ summary: 'List your uploads, newest first' })
  @ApiOkResponse({ type: UploadPageDto })
  @ApiProblems(400, 401, 429)
  list(@CurrentPrincipal() principal: Principal, @Query() query: PageQueryDto): Promise<UploadPageDto> {
    return this.uploads.list(principal.userId, query);
  }

  @Get('quota')
  @ApiOperation({ summary: 'How much of your upload quota is used' })
  @ApiOkResponse({ type: UploadQuotaDto })
  @ApiProblems(401, 429)
  quota(@CurrentPrincipal() principal: Principal): Promise<UploadQuotaDto> {
    return this.uploads.quota(principal.userId);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get an upload' })
  @ApiOkResponse({ type: UploadResponseDto })
  @ApiProblems(400, 401, 404, 429)
  get(@CurrentPrincipal() principal: Principal, @Param('id', new ParseUUIDPipe()) id: string): Promise<UploadResponseDto> {
    return this.uploads.get(principal.userId, id);
  }

  @Get(':id/content')
  @ApiOperation({ summary: 'Download an upload (as an attachment, with its detected type)' })
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({ description: 'The bytes', schema: { type: 'string', format: 'binary' } })
  @ApiFoundResponse({ description: 'With S3_PRESIGNED_DOWNLOADS: a redirect to a presigned URL valid for 60 s' })
  @ApiProblems(400, 401, 404, 429, 503)
  async content(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const content = await this.uploads.openContent(principal.userId, id);
    if (content.kind === 'redirect') {
      await reply.header('cache-control', 'no-store').redirect(content.url, 302);
      return;
    }
    const { upload, stream } = content;
    await reply
      .headers({
        'content-type': withCharset(upload.contentType),
        'content-length': String(upload.sizeBytes),
        'content-disposition': attachmentDisposition(upload.filename),
        'x-content-type-options': 'nosniff',
        'cache-control': 'private, no-store',
      })
      .send(stream);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an upload and its stored bytes' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(400, 401, 403, 404, 429)
  async delete(@CurrentPrincipal() principal: Principal, @Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    await this.uploads.delete(principal.userId, id);
  }
}

// Text uploads were checked to be UTF-8 when stored.
function withCharset(contentType: string): string {
  return contentType.startsWith('text/') || contentType === 'application/json' ? `${contentType}; charset=utf-8` : contentType;
}
