import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../common/auth/decorators.js';
import type { Principal } from '../common/auth/principal.js';
import { ApiProblems } from '../common/swagger/problem.dto.js';
import { SearchPageDto, SearchQueryDto } from './dto/search.dto.js';
import { SearchService } from './search.service.js';

@ApiTags('search')
@ApiBearerAuth()
@Controller('search')
export class SearchController {
  constructor(@Inject(SearchService) private readonly searchService: SearchService) {}

  @Get()
  @ApiOperation({ summary: 'Full-text search over your messages and conversation titles, best match first' })
  @ApiOkResponse({ type: SearchPageDto })
  @ApiProblems(400, 401, 429)
  search(@CurrentPrincipal() principal: Principal, @Query() query: SearchQueryDto): Promise<SearchPageDto> {
    return this.searchService.search(principal.userId, query);
  }
}
