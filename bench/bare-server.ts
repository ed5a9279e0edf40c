import { startManagedProcess, ManagedProcess, waitForReady } from "../processes/managed-process";
import { getFreePort } from "../processes/ports";
import { httpStatus } from "../processes/service";

/** The ceiling: node:http answering 200 to everything, reading the body as our services do. */
const BARE_SERVER = `
require("node:http").createServer((req, res) => {
  req.on("data", () => {});
  req.on("end", () => { res.writeHead(200, { "content-type": "text/plain" }); res.end("ok"); });
}).listen(Number(process.env.PORT), "127.0.0.1");
`;

export async function startBareServer(): Promise<{ url: string; process: ManagedProcess }> {
  const port = await getFreePort();
  const child = startManagedProcess({ name: "bare-http", command: process.execPath, args: ["-e", BARE_SERVER], env: { PORT: String(port) } });
  await waitForReady(child, "GET /", () => httpStatus(port, "/").then((status) => status === 200), 10_000);
  return { url: `http://127.0.0.1:${port}`, process: child };
}
