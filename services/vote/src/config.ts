import { CommonConfig, readCommonConfig, readRedisConfig, readVoteOptions, RedisConfig, VoteOptions } from "../../shared/src/common-config";
import { Env, readChoice, readInteger, readRatio } from "../../shared/src/env";

export interface FaultInjectionConfig {
  enabled: boolean;
  /** Fraction of GET / and POST / answered 500 while enabled. */
  errorRatio: number;
}

export interface VoteConfig extends CommonConfig {
  redis: RedisConfig;
  redisCommandTimeoutMs: number;
  options: VoteOptions;
  faultInjection: FaultInjectionConfig;
}

export function loadVoteConfig(env: Env): VoteConfig {
  const enabled = readChoice(env, "FAULT_INJECTION", ["enabled", "disabled"] as const, "disabled") === "enabled";
  return {
    ...readCommonConfig(env, 8080),
    redis: readRedisConfig(env),
    redisCommandTimeoutMs: readInteger(env, "REDIS_COMMAND_TIMEOUT_MS", 500, 10, 60_000),
    options: readVoteOptions(env),
    faultInjection: { enabled, errorRatio: readRatio(env, "FAULT_ERROR_RATIO", 0) },
  };
}
