import { CanActivate, createParamDecorator, ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { ErrorCode, MarketplaceError } from '@aim/contracts';
import { ENGINE_OPTIONS, EngineOptions } from '../engine.options';

const ADMIN_ONLY = 'marketplace:admin-only';
export const AdminOnly = () => SetMetadata(ADMIN_ONLY, true);
const WITHOUT_CALLER = 'marketplace:without-caller';
/** Routes that answer anyone the same (health, metrics): credentials are not read, so a probe never fails on one. */
export const WithoutCaller = () => SetMetadata(WITHOUT_CALLER, true);

/** The cookie that makes a browser without an API key the owner of the jobs it submits. */
export const OWNER_COOKIE = 'aim_owner';
const OWNER_COOKIE_VALUE = /^[A-Za-z0-9_-]{43}$/;

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The API key a request presents, in `X-API-Key` or as `Authorization: Bearer <key>`. */
export function presentedApiKey(request: Request): string | undefined {
  return request.header('x-api-key') ?? request.header('authorization')?.replace(/^Bearer\s+/i, '') ?? undefined;
}

/** Who is asking: the owner of what they submit (undefined for a caller without key or cookie yet) and whether they are an admin. */
export interface Caller {
  owner?: string;
  admin: boolean;
  /** Owner through the cookie of a browser without a key (a new cookie costs nothing to get). */
  byCookie?: boolean;
}

/** Owner ids never contain a secret: a key or cookie is stored as part of its SHA-256 digest only. */
const ownerOf = (kind: 'key' | 'browser', secret: string) => `${kind}:${hashApiKey(secret).slice(0, 32)}`;

/** A request after the CallerGuard: who is asking. */
export type CallerRequest = Request & { caller?: Caller };

/**
 * Resolves the caller of every request (an API key, else the owner cookie) and guards admin routes.
 * A key that is presented but not configured is refused everywhere, rather than silently ignored.
 */
@Injectable()
export class CallerGuard implements CanActivate {
  private readonly adminHashes: Buffer[];
  private readonly userHashes: Buffer[];
  /** Keys already checked (a program polling sends its key hundreds of times a second): no hash each time. */
  private readonly knownKeys = new Map<string, Caller>();

  constructor(
    private readonly reflector: Reflector,
    @Inject(ENGINE_OPTIONS) private readonly options: EngineOptions,
  ) {
    this.adminHashes = options.adminKeyHashes.map((hash) => Buffer.from(hash, 'hex'));
    this.userHashes = options.userKeyHashes.map((hash) => Buffer.from(hash, 'hex'));
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<CallerRequest>();
    if (this.reflector.getAllAndOverride<boolean>(WITHOUT_CALLER, [context.getHandler(), context.getClass()])) return true;
    const caller = this.resolve(request);
    request.caller = caller;
    if (!this.reflector.getAllAndOverride<boolean>(ADMIN_ONLY, [context.getHandler(), context.getClass()])) return true;
    if (caller.admin) return true;
    if (!presentedApiKey(request)) throw new MarketplaceError(ErrorCode.Unauthorized, 'this needs an admin API key: send it in the X-API-Key header');
    if (this.adminHashes.length === 0) throw new MarketplaceError(ErrorCode.Forbidden, 'no admin API key is configured on this server; set ADMIN_API_KEY and restart');
    throw new MarketplaceError(ErrorCode.Forbidden, 'the API key is not an admin key');
  }

  private resolve(request: Request): Caller {
    const key = presentedApiKey(request);
    if (key !== undefined) {
      const known = this.knownKeys.get(key);
      if (known) return known;
      const given = Buffer.from(hashApiKey(key), 'hex');
      const matches = (hashes: Buffer[]) => hashes.some((hash) => timingSafeEqual(hash, given));
      let caller: Caller;
      if (matches(this.adminHashes)) caller = { owner: ownerOf('key', key), admin: true };
      else if (matches(this.userHashes)) caller = { owner: ownerOf('key', key), admin: false };
      else throw new MarketplaceError(ErrorCode.Unauthorized, 'the API key is not known to this server; check it, or leave it out');
      if (this.knownKeys.size >= 1000) this.knownKeys.clear();
      this.knownKeys.set(key, caller);
      return caller;
    }
    const cookie = readCookie(request, OWNER_COOKIE);
    if (this.options.allowAnonymous && cookie && OWNER_COOKIE_VALUE.test(cookie)) return { owner: ownerOf('browser', cookie), admin: false, byCookie: true };
    return { admin: false };
  }
}

/** The caller of the request, as resolved by the CallerGuard. */
export const CurrentCaller = createParamDecorator((_data: unknown, context: ExecutionContext): Caller => {
  return context.switchToHttp().getRequest<CallerRequest>().caller ?? { admin: false };
});

/**
 * The owner a submit is recorded under: the caller's, or, for an anonymous caller without a cookie, a new
 * owner cookie (HttpOnly, SameSite=Lax) answered with the job. With ALLOW_ANONYMOUS=false a key is needed.
 */
export function ownerForSubmit(caller: Caller, request: Request, response: Response, allowAnonymous: boolean): string {
  if (caller.owner) return caller.owner;
  if (!allowAnonymous) throw new MarketplaceError(ErrorCode.Unauthorized, 'this server takes jobs only with an API key: send it in the X-API-Key header');
  const cookie = randomBytes(32).toString('base64url');
  response.cookie(OWNER_COOKIE, cookie, { httpOnly: true, sameSite: 'lax', secure: request.secure, path: '/', maxAge: 365 * 24 * 3600 * 1000 });
  return ownerOf('browser', cookie);
}

/** Whether the caller may see and act on a job: its owner, or an admin. */
export function mayAccess(caller: Caller, owner: string | undefined): boolean {
  return caller.admin || (owner !== undefined && owner === caller.owner);
}

function readCookie(request: Request, name: string): string | undefined {
  for (const part of (request.header('cookie') ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return undefined;
}
