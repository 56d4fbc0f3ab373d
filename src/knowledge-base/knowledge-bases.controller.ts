import { Body, Controller, Delete, Get, HttpCode, Inject, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../common/auth/decorators.js';
import type { Principal } from '../common/auth/principal.js';
import { PageQueryDto } from '../common/pagination/cursor.js';
import { ApiProblems } from '../common/swagger/problem.dto.js';
import { CreateKnowledgeBaseDto, KnowledgeBasePageDto, KnowledgeBaseResponseDto, UpdateKnowledgeBaseDto } from './dto/knowledge-base.dto.js';
import { SearchKnowledgeBaseDto, SearchResultDto } from './dto/search.dto.js';
import { KbSearchService } from './kb-search.service.js';
import { KnowledgeBasesService } from './knowledge-bases.service.js';

@ApiTags('knowledge-bases')
@ApiBearerAuth()
@Controller('knowledge-bases')
export class KnowledgeBasesController {
  constructor(
    @Inject(KnowledgeBasesService) private readonly bases: KnowledgeBasesService,
    @Inject(KbSearchService) private readonly search: KbSearchService,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a knowledge base (its embedding model is fixed from now on)' })
  @ApiCreatedResponse({ type: KnowledgeBaseResponseDto })
  @ApiProblems(400, 401, 403, 429, 502)
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateKnowledgeBaseDto): Promise<KnowledgeBaseResponseDto> {
    return this.bases.create(principal.userId, body);
  }

  @Get()
  @ApiOperation({ summary: 'List your knowledge bases, newest first' })
  @ApiOkResponse({ type: KnowledgeBasePageDto })
  @ApiProblems(400, 401, 429)
  list(@CurrentPrincipal() principal: Principal, @Query() query: PageQueryDto): Promise<KnowledgeBasePageDto> {
    return this.bases.list(principal.userId, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a knowledge base' })
  @ApiOkResponse({ type: KnowledgeBaseResponseDto })
  @ApiProblems(400, 401, 404, 429)
  get(@CurrentPrincipal() principal: Principal, @Param('id', new ParseUUIDPipe()) id: string): Promise<KnowledgeBaseResponseDto> {
    return this.bases.get(principal.userId, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename a knowledge base or change its chunking (for documents added afterwards)' })
  @ApiOkResponse({ type: KnowledgeBaseResponseDto })
  @ApiProblems(400, 401, 403, 404, 429)
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: UpdateKnowledgeBaseDto,
  ): Promise<KnowledgeBaseResponseDto> {
    return this.bases.update(principal.userId, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a knowledge base with its documents and chunks (uploads stay)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(400, 401, 403, 404, 429)
  async delete(@CurrentPrincipal() principal: Principal, @Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    await this.bases.delete(principal.userId, id);
  }

  @Post(':id/search')
  @HttpCode(200)
  @ApiOperation({ summary: 'Search a knowledge base: vector, full-text or hybrid (reciprocal rank fusion)' })
  @ApiOkResponse({ type: SearchResultDto })
  @ApiProblems(400, 401, 404, 429, 502)
  searchBase(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: SearchKnowledgeBaseDto,
  ): Promise<SearchResultDto> {
    return this.search.search(principal.userId, id, body);
  }
}
