import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ErrorCode, MarketplaceError } from '@aim/contracts';
import { ENGINE_OPTIONS, EngineOptions } from '../engine.options';
import { CallerRequest } from './caller.guard';

interface Bucket {
  tokens: number;
  at: number;
}

const MAX_BUCKETS = 10_000;

/**
 * Submits per caller (an API key, else the client address): a token bucket of `submitRateBurst` tokens
 * refilled at `submitRatePerSecond`; an empty bucket answers 429 RATE_LIMITED with Retry-After.
 * A rate of 0 turns the limit off.
 */
@Injectable()
export class SubmitRateLimitGuard implements CanActivate {
  private readonly buckets = new Map<string, Bucket>();

  constructor(@Inject(ENGINE_OPTIONS) private readonly options: EngineOptions) {}

  canActivate(context: ExecutionContext): boolean {
    const { submitRatePerSecond: rate, submitRateBurst: burst } = this.options;
    if (rate <= 0) return true;
    // The CallerGuard (global, so it ran first) resolved the key; a browser's cookie costs nothing to
    // renew, so callers without a key are counted by address.
    const request = context.switchToHttp().getRequest<CallerRequest>();
    const owner = request.caller?.owner;
    const caller = owner && !request.caller?.byCookie ? owner : `address:${request.socket.remoteAddress ?? 'unknown'}`;
    const now = performance.now();
    const bucket = this.buckets.get(caller) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    this.remember(caller, bucket);
    if (bucket.tokens < 1) {
      const wait = Math.max(1, Math.ceil((1 - bucket.tokens) / rate));
      throw new MarketplaceError(ErrorCode.RateLimited, `too many submits: at most ${rate} per second (bursts of ${burst}); try again in ${wait} s`, {
        retryable: true,
        retryAfterSeconds: wait,
      });
    }
    bucket.tokens -= 1;
    return true;
  }

  /** Keeps the map bounded: the callers seen least recently are forgotten first (and start again with a full bucket). */
  private remember(caller: string, bucket: Bucket): void {
    this.buckets.delete(caller);
    this.buckets.set(caller, bucket);
    if (this.buckets.size <= MAX_BUCKETS) return;
    for (const [name] of this.buckets) {
      this.buckets.delete(name);
      if (this.buckets.size <= MAX_BUCKETS / 2) break;
    }
  }
}
