import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../common/auth/decorators.js';
import type { Principal } from '../common/auth/principal.js';
import { ApiProblems } from '../common/swagger/problem.dto.js';
import { ProviderListDto } from './dto/provider-info.dto.js';
import { ProvidersService } from './providers.service.js';

@ApiTags('providers')
@ApiBearerAuth()
@Controller('providers')
export class ProvidersController {
  constructor(@Inject(ProvidersService) private readonly providers: ProvidersService) {}

  @Get()
  @ApiOperation({ summary: 'Providers and models you can use (the server’s, and those you stored a key for)' })
  @ApiOkResponse({ type: ProviderListDto })
  @ApiProblems(401, 429)
  async list(@CurrentPrincipal() principal: Principal): Promise<ProviderListDto> {
    return { data: await this.providers.listForUser(principal.userId) };
  }
}
