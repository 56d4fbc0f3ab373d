import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../common/auth/decorators.js';
import type { Principal } from '../common/auth/principal.js';
import { ApiProblems } from '../common/swagger/problem.dto.js';
import { ProviderKeyListDto, ProviderKeyResponseDto, PutProviderKeyDto } from './dto/provider-key.dto.js';
import { ProviderKeysService } from './provider-keys.service.js';

const PROVIDER_PARAM = { name: 'provider', example: 'openai', description: 'A provider id from GET /providers' };

@ApiTags('providers')
@ApiBearerAuth()
@Controller('provider-keys')
export class ProviderKeysController {
  constructor(@Inject(ProviderKeysService) private readonly keys: ProviderKeysService) {}

  @Put(':provider')
  @ApiOperation({ summary: 'Store your own API key (and optional base URL) for a provider; encrypted, never returned' })
  @ApiParam(PROVIDER_PARAM)
  @ApiOkResponse({ type: ProviderKeyResponseDto })
  @ApiProblems(400, 401, 403, 429)
  put(@CurrentPrincipal() principal: Principal, @Param('provider') provider: string, @Body() body: PutProviderKeyDto): Promise<ProviderKeyResponseDto> {
    return this.keys.put(principal.userId, provider, body);
  }

  @Get()
  @ApiOperation({ summary: 'List the providers you stored a key for (never the keys)' })
  @ApiOkResponse({ type: ProviderKeyListDto })
  @ApiProblems(401, 429)
  list(@CurrentPrincipal() principal: Principal): Promise<ProviderKeyListDto> {
    return this.keys.list(principal.userId);
  }

  @Delete(':provider')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete your key for a provider; the server’s key (if any) applies again' })
  @ApiParam(PROVIDER_PARAM)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(401, 403, 404, 429)
  async remove(@CurrentPrincipal() principal: Principal, @Param('provider') provider: string): Promise<void> {
    await this.keys.remove(principal.userId, provider);
  }
}
