import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { ErrorCode, MarketplaceError } from '@aim/contracts';
import { ENGINE_OPTIONS, EngineOptions } from '../engine.options';

const ADMIN_ONLY = 'marketplace:admin-only';
export const AdminOnly = () => SetMetadata(ADMIN_ONLY, true);

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The API key a request presents, in `X-API-Key` or as `Authorization: Bearer <key>`. */
export function presentedApiKey(request: Request): string | undefined {
  return request.header('x-api-key') ?? request.header('authorization')?.replace(/^Bearer\s+/i, '') ?? undefined;
}

/** Admin routes need `X-API-Key: <key>` (or `Authorization: Bearer <key>`) matching a configured key's hash. */
@Injectable()
export class AdminKeyGuard implements CanActivate {
  private readonly hashes: Buffer[];

  constructor(
    private readonly reflector: Reflector,
    @Inject(ENGINE_OPTIONS) options: EngineOptions,
  ) {
    this.hashes = options.adminKeyHashes.map((hash) => Buffer.from(hash, 'hex'));
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.reflector.getAllAndOverride<boolean>(ADMIN_ONLY, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<Request>();
    const header = presentedApiKey(request);
    if (!header) {
      throw new MarketplaceError(ErrorCode.Unauthorized, 'this needs an admin API key: send it in the X-API-Key header');
    }
    if (this.hashes.length === 0) {
      throw new MarketplaceError(ErrorCode.Forbidden, 'no admin API key is configured on this server; set ADMIN_API_KEY and restart');
    }
    const given = Buffer.from(hashApiKey(header), 'hex');
    if (!this.hashes.some((hash) => timingSafeEqual(hash, given))) {
      throw new MarketplaceError(ErrorCode.Forbidden, 'the API key is not an admin key');
    }
    return true;
  }
}
