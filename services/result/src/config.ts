import { CommonConfig, PostgresConfig, readCommonConfig, readPostgresConfig, readVoteOptions, VoteOptions } from "../../shared/src/common-config";
import { Env, readInteger } from "../../shared/src/env";

export interface ResultConfig extends CommonConfig {
  postgres: PostgresConfig;
  options: VoteOptions;
  pollMs: number;
}

export function loadResultConfig(env: Env): ResultConfig {
  return {
    ...readCommonConfig(env, 8081),
    postgres: readPostgresConfig(env),
    options: readVoteOptions(env),
    pollMs: readInteger(env, "RESULT_POLL_MS", 1_000, 50, 60_000),
  };
}
