import { readFileSync } from "node:fs";
import { createServer } from "node:net";

/** Ports this process already handed out: two components never get the same one. */
const handedOut = new Set<number>();
const LOWEST = 10_000;

/**
 * A TCP port on 127.0.0.1 that was free a moment ago. It is picked below the kernel's ephemeral
 * range, so an outgoing connection cannot take it between this check and the component's bind
 * (the OS's own pick, listen(0), comes from that very range); the OS picks only as a fallback.
 */
export async function getFreePort(): Promise<number> {
  const below = ephemeralRangeStart();
  for (let attempt = 0; attempt < 50 && below - LOWEST > 100; attempt++) {
    const candidate = LOWEST + Math.floor(Math.random() * (below - LOWEST));
    if (handedOut.has(candidate)) continue;
    handedOut.add(candidate); // before awaiting, so a concurrent call cannot pick it too
    if ((await tryListen(candidate)) === candidate) return candidate;
    handedOut.delete(candidate);
  }
  for (;;) {
    const port = await tryListen(0);
    if (port !== undefined && !handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

/** The port the server got (asked `port`, 0 = any), or undefined when it was taken. */
function tryListen(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", () => resolve(undefined));
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      const got = typeof address === "object" && address !== null ? address.port : undefined;
      server.close(() => resolve(got));
    });
  });
}

function ephemeralRangeStart(): number {
  try {
    return Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]) || 32768;
  } catch {
    return 32768;
  }
}
