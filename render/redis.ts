import { createHash } from "node:crypto";

/**
 * Redis authentication, the same on every target: Redis reads an ACL file that holds only the
 * SHA-256 of the password (never the password, never on its command line), the clients read the
 * password from a file (REDIS_PASSWORD_FILE), and redis_exporter from its JSON password file.
 */

/** The password as its readers take it from a file: services/shared strips one trailing newline. */
function passwordOf(fileText: string): string {
  return fileText.replace(/\r?\n$/, "");
}

/**
 * The ACL file (`redis-server --aclfile <path>`): the default user, enabled, with full access,
 * authenticated by the SHA-256 of the password (`#<hex>`), so any character of it is safe.
 */
export function redisAclFile(password: string): string {
  const hash = createHash("sha256").update(passwordOf(password), "utf8").digest("hex");
  return `user default on #${hash} ~* &* +@all\n`;
}

/**
 * redis_exporter's `--redis.password-file`: JSON of Redis URI → password, looked up by the
 * exporter's own address (`redis://host:port`, as REDIS_ADDR names it).
 */
export function redisExporterPasswordFile(redisAddress: string, password: string): string {
  return `${JSON.stringify({ [redisAddress]: passwordOf(password) })}\n`;
}

/**
 * A healthcheck command that authenticates with the password file: redis-cli takes the password
 * from REDISCLI_AUTH, so it appears in no command line and in no container's configuration.
 */
export function redisPingCommand(passwordFile: string, port: number): string {
  return `REDISCLI_AUTH="$(cat ${passwordFile})" redis-cli -p ${port} ping | grep -q PONG`;
}
