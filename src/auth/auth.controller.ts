import { Body, Controller, Get, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiCreatedResponse, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CurrentPrincipal, Public } from '../common/auth/decorators.js';
import type { Principal } from '../common/auth/principal.js';
import { ApiProblems } from '../common/swagger/problem.dto.js';
import { type AuthResult, AuthService } from './auth.service.js';
import { AuthResponseDto, ChangePasswordDto, LoginDto, RefreshDto, RegisterDto } from './dto/auth.dto.js';
import { UserResponseDto } from './dto/user.response.dto.js';

function toResponse(result: AuthResult): AuthResponseDto {
  return { ...result, user: UserResponseDto.from(result.user), tokenType: 'Bearer' };
}

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(@Inject(AuthService) private readonly auth: AuthService) {}

  @Public()
  @Post('register')
  @ApiOperation({ summary: 'Create an account and sign in' })
  @ApiCreatedResponse({ type: AuthResponseDto })
  @ApiProblems(400, 409, 429)
  async register(@Body() body: RegisterDto, @Req() req: FastifyRequest): Promise<AuthResponseDto> {
    return toResponse(await this.auth.register(body, req.ip));
  }

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in with email and password' })
  @ApiOkResponse({ type: AuthResponseDto })
  @ApiProblems(400, 401, 429)
  async login(@Body() body: LoginDto, @Req() req: FastifyRequest): Promise<AuthResponseDto> {
    return toResponse(await this.auth.login(body, req.ip));
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange a refresh token for new tokens (the old one dies; reuse revokes the session)' })
  @ApiOkResponse({ type: AuthResponseDto })
  @ApiProblems(400, 401, 429)
  async refresh(@Body() body: RefreshDto): Promise<AuthResponseDto> {
    return toResponse(await this.auth.refresh(body.refreshToken));
  }

  @Post('logout')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'End this session: revokes its refresh tokens and the presented access token' })
  @ApiNoContentResponse({ description: 'Signed out' })
  @ApiProblems(401, 429)
  async logout(@CurrentPrincipal() principal: Principal): Promise<void> {
    await this.auth.logout(principal);
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The signed-in user' })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiProblems(401, 429)
  async me(@CurrentPrincipal() principal: Principal): Promise<UserResponseDto> {
    return UserResponseDto.from(await this.auth.me(principal));
  }

  @Post('password')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Change the password; every other session is signed out' })
  @ApiNoContentResponse({ description: 'Password changed' })
  @ApiProblems(400, 401, 409, 429)
  async changePassword(@CurrentPrincipal() principal: Principal, @Body() body: ChangePasswordDto): Promise<void> {
    await this.auth.changePassword(principal, body.currentPassword, body.newPassword);
  }
}
